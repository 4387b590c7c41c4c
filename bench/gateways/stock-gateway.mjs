// Stock @apollo/gateway as a user comparing would run it: Apollo Server's standalone server,
// its defaults, and a data source that forwards the caller's Authorization (plus the shared
// secret our subgraphs require). PORT, SUPERGRAPH_PATH, SUBGRAPH_SHARED_SECRET.
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';

class Forwarding extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    if (context.authorization) request.http.headers.set('authorization', context.authorization);
    if (process.env.SUBGRAPH_SHARED_SECRET) request.http.headers.set('x-subgraph-secret', process.env.SUBGRAPH_SHARED_SECRET);
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(process.env.SUPERGRAPH_PATH, 'utf8'),
  buildService: ({ url }) => new Forwarding({ url }),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT), host: '127.0.0.1' },
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
});
console.error(`stock @apollo/gateway at ${url}`);
