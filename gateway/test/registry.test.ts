import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SUBGRAPHS, subgraphModule } from '../src/subgraphs';

// gateway/src/subgraphs.ts is the one list of subgraphs; what cannot read it is held to it here.

const ROOT = resolve(__dirname, '../..');

interface ComposeService {
  environment?: Record<string, string>;
  depends_on?: string[] | Record<string, unknown>;
}
const compose = parse(readFileSync(resolve(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };

const port = (url: string) => new URL(url).port;
const composeUrl = ({ name, url }: (typeof SUBGRAPHS)[number]) => `http://${name}:${port(url)}/graphql`;
const dependsOn = (service: ComposeService) => (Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {}));

describe('the subgraph registry', () => {
  it('lists every subgraph folder, each with its entry points, on its own port', () => {
    const folders = readdirSync(resolve(ROOT, 'subgraphs'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'kit')
      .map((entry) => entry.name);
    expect(SUBGRAPHS.map((s) => s.name).sort()).toEqual(folders.sort());
    for (const { name } of SUBGRAPHS) {
      expect(existsSync(subgraphModule(name, 'index')), `${name}: src/index.ts`).toBe(true);
      expect(existsSync(subgraphModule(name, 'schema')), `${name}: src/schema.ts`).toBe(true);
    }
    expect(new Set(SUBGRAPHS.map((s) => port(s.url))).size).toBe(SUBGRAPHS.length);
  });

  it('is what docker-compose.yml runs: one service per subgraph, on its port, all behind the gateway', () => {
    for (const { name, url } of SUBGRAPHS) {
      const environment = compose.services[name]?.environment;
      expect(environment, `docker-compose.yml: service ${name}`).toBeDefined();
      expect(environment).toMatchObject({ SERVICE_DIR: `subgraphs/${name}`, PORT: port(url) });
    }
    const gateway = compose.services.gateway!;
    expect(dependsOn(gateway).sort()).toEqual(SUBGRAPHS.map((s) => s.name).sort());
    expect(gateway.environment).toMatchObject(Object.fromEntries(SUBGRAPHS.map((s) => [s.urlVariable, composeUrl(s)])));
  });

  it('gives every service that calls a subgraph that subgraph’s compose address', () => {
    for (const [service, { environment = {} }] of Object.entries(compose.services)) {
      for (const subgraph of SUBGRAPHS) {
        const value = environment[subgraph.urlVariable];
        if (value !== undefined) expect(value, `${service}: ${subgraph.urlVariable}`).toBe(composeUrl(subgraph));
      }
    }
  });

  it('leaves the Dockerfile naming no package: it installs the whole workspace from the lockfile', () => {
    const dockerfile = readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).not.toMatch(/^COPY .*package\.json/m);
    expect(dockerfile).toMatch(/pnpm fetch --frozen-lockfile/);
  });
});
