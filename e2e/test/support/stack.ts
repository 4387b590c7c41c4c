import type { GraphQLSchema } from 'graphql';
import { printSubgraphSdl, type Service } from '@ott/kit';
import { graphql, testEnv, uniqueTag, usersTestEnv, type RequestOptions } from '@ott/kit/testing';
import { composeSupergraph } from '@ott/gateway/compose';
import { start as startGateway, type GatewayService } from '@ott/gateway';
import { SUBGRAPHS, subgraphModule, type SubgraphName } from '@ott/gateway/subgraphs';

interface SubgraphModule {
  start(env: NodeJS.ProcessEnv): Promise<Service>;
  buildSchema(): Promise<GraphQLSchema>;
}

/** A registered subgraph's code (gateway/src/subgraphs.ts), loaded once. */
const loaded = new Map<SubgraphName, Promise<SubgraphModule>>();
function loadSubgraph(name: SubgraphName): Promise<SubgraphModule> {
  if (!loaded.has(name)) {
    loaded.set(
      name,
      Promise.all([import(subgraphModule(name, 'index')), import(subgraphModule(name, 'schema'))]).then(([main, schema]) => ({
        start: (main as SubgraphModule).start,
        buildSchema: (schema as SubgraphModule).buildSchema,
      })),
    );
  }
  return loaded.get(name)!;
}

export interface Stack {
  gatewayUrl: string;
  gateway: GatewayService;
  /** The supergraph composed for this stack's ports, and the gateway's environment: to start more gateways. */
  supergraphSdl: string;
  gatewayEnv: NodeJS.ProcessEnv;
  subgraphUrls: Record<string, string>;
  /** Each subgraph's environment, e.g. to seed its own database. */
  subgraphEnvs: Record<string, NodeJS.ProcessEnv>;
  /** The started subgraphs, e.g. to watch one's database connection. */
  services: Record<string, Service>;
  /** Stops one subgraph (as a crash or a redeploy would), keeping its port for `restart`. */
  stop(name: SubgraphName): Promise<void>;
  /** Starts a stopped subgraph again, on the same port and over the same database. */
  restart(name: SubgraphName): Promise<void>;
  /** A query through the gateway. */
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, options?: RequestOptions): ReturnType<typeof graphql<T>>;
  close(): Promise<void>;
}

/**
 * As deployed, subgraphs believe the address the gateway forwards (it is on loopback here).
 * Every test client signs up from 127.0.0.1, so sign-ups per address are not what most tests
 * are about: those that are set their own limit.
 */
const SUBGRAPH_DEFAULTS: NodeJS.ProcessEnv = { TRUST_PROXY: 'loopback', REGISTRATIONS_PER_IP: '100000' };

/**
 * Starts the named subgraphs (each with its own fresh database) and a gateway over a
 * supergraph composed from their real SDL and ports, all on free loopback ports. Subgraphs
 * start in the order given, and each learns the URLs of those before it under the gateway's
 * variable names (my-list calls catalog at CATALOG_URL), so list an owner before its callers.
 * `only` adds settings for single subgraphs (e.g. a stream name one of them reads).
 */
export async function startStack(
  label: string,
  names: SubgraphName[],
  env: NodeJS.ProcessEnv = {},
  only: Partial<Record<SubgraphName, NodeJS.ProcessEnv>> = {},
): Promise<Stack> {
  const tag = uniqueTag(label);
  const started: Service[] = [];
  try {
    const subgraphs: { name: SubgraphName; url: string; env: NodeJS.ProcessEnv; sdl: string; service: Service }[] = [];
    for (const name of names) {
      const peers = Object.fromEntries(subgraphs.map((s) => [SUBGRAPHS.find((known) => known.name === s.name)!.urlVariable, s.url]));
      // One Redis key prefix for the stack, as for a deployment: each service keeps its keys under its own name there.
      // Users alone gets the private key: it signs, every other service only verifies.
      const subgraphEnv = (name === 'users' ? usersTestEnv : testEnv)(`${tag}_${name}`, {
        ...SUBGRAPH_DEFAULTS,
        REDIS_KEY_PREFIX: `t:${tag}:`,
        ...peers,
        ...env,
        ...only[name],
      });
      const { start, buildSchema } = await loadSubgraph(name);
      const service = await start(subgraphEnv);
      started.push(service);
      subgraphs.push({ name, url: service.url, env: subgraphEnv, sdl: printSubgraphSdl(await buildSchema()), service });
    }
    const { supergraphSdl } = composeSupergraph(subgraphs);
    const services: Record<string, Service> = Object.fromEntries(subgraphs.map((s) => [s.name, s.service]));
    const gatewayEnv = testEnv(tag, env);
    const gateway = await startGateway(gatewayEnv, supergraphSdl);
    started.push(gateway);
    return {
      gatewayUrl: gateway.url,
      gateway,
      supergraphSdl,
      gatewayEnv,
      subgraphUrls: Object.fromEntries(subgraphs.map((s) => [s.name, s.url])),
      subgraphEnvs: Object.fromEntries(subgraphs.map((s) => [s.name, s.env])),
      services,
      stop: async (name) => {
        await services[name]!.close();
      },
      restart: async (name) => {
        const subgraph = subgraphs.find((s) => s.name === name)!;
        const service = await (await loadSubgraph(name)).start({ ...subgraph.env, PORT: String(subgraph.service.port) });
        started.push(service);
        services[name] = service;
      },
      query: (query, variables, options) => graphql(gateway.url, query, variables, options),
      close: async () => {
        await Promise.all(started.reverse().map((s) => s.close()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    throw error;
  }
}
