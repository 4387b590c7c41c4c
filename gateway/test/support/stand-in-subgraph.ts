import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayContext } from '../../src/context';

export interface Received {
  headers: IncomingHttpHeaders;
  body: { query: string; variables?: unknown };
  /** The client port of the socket it came on: the same port again is a reused keep-alive socket. */
  remotePort: number | undefined;
}

export interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
  delayMs?: number;
  /** Held until the test calls `release`. */
  held?: boolean;
}

/** A subgraph stand-in on a real socket: answers as `reply` says, and records what it was sent. */
export interface StandInSubgraph {
  url: string;
  received: Received[];
  /** Requests since the last reset whose connection closed before the stand-in answered them. */
  readonly abandoned: number;
  reply: (body: string) => Reply;
  /** Sends the oldest held answer. */
  release(): void;
  /** Forgets what earlier tests sent and set. */
  reset(): void;
  close(): Promise<void>;
}

const ENTITY = JSON.stringify({ data: { _entities: [{ id: '1', title: 'Alien' }] } });

export async function standInSubgraph(): Promise<StandInSubgraph> {
  let held: (() => void)[] = [];
  // Replaced on reset: a request an earlier test abandoned late is counted against that test.
  let tally = { abandoned: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    const ofThisTest = tally;
    res.on('close', () => {
      if (!res.writableFinished) ofThisTest.abandoned += 1;
    });
    req.on('end', () => {
      standIn.received.push({ headers: req.headers, body: JSON.parse(body) as Received['body'], remotePort: req.socket.remotePort });
      const answer = standIn.reply(body);
      const send = () => res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(answer.body);
      if (answer.held) return void held.push(send);
      setTimeout(send, answer.delayMs ?? 50);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const standIn: StandInSubgraph = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    received: [],
    get abandoned() {
      return tally.abandoned;
    },
    reply: () => ({ status: 200, body: ENTITY }),
    release: () => held.shift()?.(),
    reset() {
      standIn.received = [];
      tally = { abandoned: 0 };
      standIn.reply = () => ({ status: 200, body: ENTITY });
      held = [];
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return standIn;
}

export const ENTITIES = 'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Content { title } } }';

export const requestContext = (overrides: Partial<GatewayContext> = {}): GatewayContext =>
  ({ requestId: 'r-1', user: null, authorization: 'Bearer member-a', deadline: Date.now() + 5_000, clientIp: '203.0.113.7', ...overrides }) as GatewayContext;

/** What @apollo/gateway hands a data source for one fetch of its plan. */
export function fetchOptions(query: string, context: GatewayContext = requestContext(), extra: object = {}): GraphQLDataSourceProcessOptions<GatewayContext> {
  return {
    kind: 'health check',
    request: { query, variables: { representations: [{ __typename: 'Content', id: '1' }] } },
    context,
    ...extra,
  } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
}
