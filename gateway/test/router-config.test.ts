import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { metricsListener, REQUEST_BODY_LIMIT_BYTES, SUBGRAPH_SECRET_HEADER, TOKEN_ALGORITHM } from '@ott/kit';
import { gatewayConfig } from '../src/config';
import { JWKS_MAX_AGE_SECONDS, JWKS_PATH } from '../src/jwks';
import { SUBGRAPHS } from '../src/subgraphs';

// router.yaml runs Apollo Router in the gateway's place. Router itself cannot be installed here
// (its binary is downloaded from outside the package registries), so its configuration is held
// to what the gateway reads instead: the subgraph registry and the gateway's defaults.

const ROOT = resolve(__dirname, '../..');

interface HeaderRule {
  propagate?: { named: string };
  insert?: { name: string; value: string };
}
interface JwksSource {
  url: string;
  issuers?: string[];
  audiences?: string[];
  algorithms?: string[];
  poll_interval?: string;
}
interface RouterConfig {
  authentication: { router: { jwt: { jwks: JwksSource[]; header_name?: string; header_value_prefix?: string } } };
  supergraph: { listen: string; path: string };
  override_subgraph_url: Record<string, string>;
  headers: { all: { request: HeaderRule[] } };
  limits: { router: Record<string, number | boolean | undefined> };
  traffic_shaping: { router: { timeout: string }; all: { timeout: string } };
  include_subgraph_errors: { all: boolean };
  telemetry: { exporters: { metrics: { prometheus: { enabled: boolean; listen: string; path: string } } } };
  subscription: { enabled: boolean; mode: { passthrough: { subgraphs: Record<string, { path: string; protocol: string }> } } };
}

const router = parse(readFileSync(resolve(ROOT, 'router.yaml'), 'utf8')) as RouterConfig;
const supergraph = readFileSync(resolve(ROOT, 'schema/supergraph.graphql'), 'utf8');
const defaults = gatewayConfig({ NODE_ENV: 'test' });

/** Router's `${env.NAME:-default}`: the variable and its default. */
function expansion(value: string): { variable: string; fallback: string } {
  const match = /^\$\{env\.([A-Z0-9_]+):-(.*)\}$/.exec(value);
  if (!match) throw new Error(`not an env expansion with a default: ${value}`);
  return { variable: match[1]!, fallback: match[2]! };
}

/** A humantime duration as Router writes them (`10s`, `500ms`), in milliseconds. */
function milliseconds(duration: string): number {
  const match = /^(\d+)(ms|s|m)$/.exec(duration);
  if (!match) throw new Error(`unexpected duration: ${duration}`);
  return Number(match[1]) * { ms: 1, s: 1_000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
}

describe('router.yaml', () => {
  it('sends every registered subgraph to its URL variable, defaulting to its compose host name', () => {
    expect(Object.keys(router.override_subgraph_url).sort()).toEqual(SUBGRAPHS.map((s) => s.name).sort());
    for (const { name, url, urlVariable } of SUBGRAPHS) {
      expect(expansion(router.override_subgraph_url[name]!), name).toEqual({ variable: urlVariable, fallback: `http://${name}:${new URL(url).port}/graphql` });
    }
  });

  it('names the subgraphs as schema/supergraph.graphql does', () => {
    const composed = [...supergraph.matchAll(/@join__graph\(name: "([^"]+)"/g)].map((m) => m[1]);
    expect(Object.keys(router.override_subgraph_url).sort()).toEqual(composed.sort());
  });

  it('serves /graphql, like the gateway', () => {
    expect(router.supergraph.path).toBe('/graphql');
    expect(expansion(router.supergraph.listen).fallback).toMatch(/:4000$/);
  });

  it("serves its metrics apart from /graphql, on loopback's 9090 like the gateway's default", () => {
    expect(router.telemetry.exporters.metrics.prometheus).toMatchObject({ enabled: true, path: '/metrics' });
    const gateway = metricsListener(defaults);
    expect(expansion(router.telemetry.exporters.metrics.prometheus.listen)).toEqual({
      variable: 'METRICS_LISTEN',
      fallback: `${gateway.host}:${gateway.port}`,
    });
  });

  it('passes on the token and the request id, and adds the shared secret when SUBGRAPH_SHARED_SECRET is set', () => {
    const rules = router.headers.all.request;
    expect(rules.filter((r) => r.propagate).map((r) => r.propagate!.named.toLowerCase())).toEqual(['authorization', 'x-request-id']);
    const inserted = rules.filter((r) => r.insert).map((r) => r.insert!);
    expect(inserted.map((i) => i.name)).toEqual([SUBGRAPH_SECRET_HEADER]);
    expect(expansion(inserted[0]!.value)).toEqual({ variable: 'SUBGRAPH_SHARED_SECRET', fallback: '' });
  });

  it("verifies tokens as the gateway does: against the gateway's JWKS, ES256, users' issuer and audience", () => {
    const { jwt } = router.authentication.router;
    // Router's defaults: the token in `Authorization: Bearer …`, as clients send it to the gateway.
    expect(jwt.header_name ?? 'authorization').toMatch(/^authorization$/i);
    expect(jwt.header_value_prefix ?? 'Bearer').toBe('Bearer');
    expect(jwt.jwks).toHaveLength(1);
    const [source] = jwt.jwks;
    expect(expansion(source!.url)).toEqual({ variable: 'JWKS_URL', fallback: `http://gateway:${defaults.PORT}${JWKS_PATH}` });
    expect(source!.algorithms).toEqual([TOKEN_ALGORITHM]);
    expect(source!.issuers).toEqual([defaults.JWT_ISSUER]);
    expect(source!.audiences).toEqual([defaults.JWT_AUDIENCE]);
    // Re-read well within the time a new key is published before users signs with it.
    expect(milliseconds(source!.poll_interval!)).toBeLessThanOrEqual(JWKS_MAX_AGE_SECONDS * 1000);
  });

  it("limits depth, aliases, tokens and body size to the gateway's defaults, and nothing the gateway does not", () => {
    expect(router.limits.router).toEqual({
      max_depth: defaults.limits.maxDepth,
      max_aliases: defaults.limits.maxAliases,
      parser_max_tokens: defaults.limits.maxTokens,
      http_max_request_bytes: REQUEST_BODY_LIMIT_BYTES,
    });
  });

  it("times requests and subgraph calls out as the gateway's defaults do", () => {
    expect(milliseconds(router.traffic_shaping.router.timeout)).toBe(defaults.REQUEST_TIMEOUT_MS);
    expect(milliseconds(router.traffic_shaping.all.timeout)).toBe(defaults.SUBGRAPH_TIMEOUT_MS);
  });

  it('passes subscriptions through to the subgraph that declares them in the supergraph, over graphql-ws at its /graphql', () => {
    const declared = /type Subscription\s+@join__type\(graph: ([A-Z_]+)\)/.exec(supergraph);
    expect(declared?.[1]).toBe('STREAMING');
    expect(supergraph).toMatch(/schema\s*(@[^{]*)?\{[^}]*subscription: Subscription/);
    expect(router.subscription.enabled).toBe(true);
    expect(router.subscription.mode.passthrough.subgraphs).toEqual({
      streaming: { path: new URL(SUBGRAPHS.find((s) => s.name === 'streaming')!.url).pathname, protocol: 'graphql_ws' },
    });
  });

  it('links only the core specs this file was checked against in schema/supergraph.graphql (all read by Router 2)', () => {
    const links = [...supergraph.matchAll(/@link\(url: "https:\/\/specs\.apollo\.dev\/([a-z]+)\/v(\d+\.\d+)"/g)].map((m) => `${m[1]}/v${m[2]}`);
    expect(links.sort()).toEqual(['cost/v0.1', 'inaccessible/v0.2', 'join/v0.5', 'link/v1.0']);
  });
});
