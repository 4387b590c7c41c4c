import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient } from 'graphql-ws';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger, type Service } from '@ott/kit';
import { logCapture, testAccessToken } from '@ott/kit/testing';
import { start as startGateway } from '@ott/gateway';
import { loadManifest, trustedDocuments } from '@ott/gateway/trusted-documents';
import { GenresDocument } from '../../schema/client/graphql';
import { seedCatalog } from './support/catalog-fixture';
import { startStack, type Stack } from './support/stack';

// Frontends ship the manifest codegen writes (schema/client/persisted-documents.json) and send
// a document's id alone; production may run nothing else (GATEWAY_TRUSTED_DOCUMENTS=require).

const manifest = JSON.parse(readFileSync(resolve(__dirname, '../../schema/client/persisted-documents.json'), 'utf8')) as Record<string, string>;
const [genresId, genresDocument] = Object.entries(manifest).find(([, document]) => document.startsWith('query Genres '))!;
const genresHash = genresId.replace(/^sha256:/, '');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const UNLISTED = '{ genres { slug } }';

let stack: Stack;
let allowing: Service;
let requiring: Service;
const allowingLogs = logCapture();
const requiringLogs = logCapture();

beforeAll(async () => {
  stack = await startStack('trusted-docs', ['users', 'catalog']);
  await seedCatalog(stack.subgraphEnvs.catalog!);
  allowing = await startGateway({ ...stack.gatewayEnv, PORT: '0', LOG_LEVEL: 'info' }, stack.supergraphSdl, allowingLogs.destination);
  requiring = await startGateway(
    { ...stack.gatewayEnv, NODE_ENV: 'production', GATEWAY_TRUSTED_DOCUMENTS: 'require', PORT: '0', LOG_LEVEL: 'info' },
    stack.supergraphSdl,
    requiringLogs.destination,
  );
});
afterAll(async () => {
  await requiring?.close();
  await allowing?.close();
  await stack?.close();
});

interface Answer {
  status: number;
  body: { data?: { genres?: { slug: string }[] } | null; errors?: { message: string; extensions: { code: string } }[] };
}

async function post(url: string, body: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const apq = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });

function expectGenres(answer: Answer) {
  expect(answer.body.errors).toBeUndefined();
  expect(answer.status).toBe(200);
  expect(answer.body.data?.genres?.length).toBeGreaterThan(0);
}

function expectRefusal(answer: Answer, code: string) {
  expect(answer.status).toBe(400);
  expect(answer.body.errors?.map((e) => e.extensions.code)).toEqual([code]);
  expect(answer.body.data).toBeUndefined();
}

describe('GATEWAY_TRUSTED_DOCUMENTS=allow (the default)', () => {
  it('runs a listed document by its documentId alone, over POST and GET', async () => {
    expectGenres(await post(allowing.url, { documentId: genresId }));
    expectGenres(await post(allowing.url, { documentId: genresHash, extensions: {} }));
    expectGenres(await post(allowing.url, { extensions: { documentId: genresId } }));
    const get = await fetch(`${allowing.url}?documentId=${encodeURIComponent(genresId)}`, { headers: { 'apollo-require-preflight': '1' } });
    expectGenres({ status: get.status, body: (await get.json()) as Answer['body'] });
  });

  it("runs a listed document by APQ's hash alone, never registered before", async () => {
    expectGenres(await post(allowing.url, { extensions: apq(genresHash) }));
  });

  it('answers an unknown documentId with PERSISTED_QUERY_NOT_FOUND', async () => {
    expectRefusal(await post(allowing.url, { documentId: `sha256:${sha256(UNLISTED)}` }), 'PERSISTED_QUERY_NOT_FOUND');
  });

  it('still runs documents it does not list, and APQ for them', async () => {
    expectGenres(await post(allowing.url, { query: UNLISTED }));
    expectGenres(await post(allowing.url, { query: UNLISTED, extensions: apq(sha256(UNLISTED)) }));
    expectGenres(await post(allowing.url, { extensions: apq(sha256(UNLISTED)) }));
  });

  it('refuses a hash that does not match its document as the client error PERSISTED_QUERY_HASH_MISMATCH, logging no error', async () => {
    const before = allowingLogs.lines.length;
    expectRefusal(await post(allowing.url, { query: UNLISTED, extensions: apq(genresHash) }), 'PERSISTED_QUERY_HASH_MISMATCH');
    expectRefusal(await post(allowing.url, { query: UNLISTED, documentId: genresId }), 'PERSISTED_QUERY_HASH_MISMATCH');
    const logged = allowingLogs.lines.slice(before);
    expect(logged.filter((line) => line.level === 'error' || Number(line.level) >= 50)).toEqual([]);
    expect(JSON.stringify(logged)).not.toMatch(/stack/i);
    expect(logged.filter((line) => line.msg === 'graphql request').map((line) => line.errors)).toEqual([
      ['PERSISTED_QUERY_HASH_MISMATCH'],
      ['PERSISTED_QUERY_HASH_MISMATCH'],
    ]);
  });
});

describe('GATEWAY_TRUSTED_DOCUMENTS=require (production)', () => {
  it('runs listed documents, by id or as their exact text', async () => {
    expectGenres(await post(requiring.url, { documentId: genresId }));
    expectGenres(await post(requiring.url, { extensions: apq(genresHash) }));
    expectGenres(await post(requiring.url, { query: genresDocument }));
  });

  it('refuses anything the manifest does not list with PERSISTED_QUERY_NOT_IN_LIST', async () => {
    expectRefusal(await post(requiring.url, { query: UNLISTED }), 'PERSISTED_QUERY_NOT_IN_LIST');
    expectRefusal(await post(requiring.url, { query: UNLISTED, extensions: apq(sha256(UNLISTED)) }), 'PERSISTED_QUERY_NOT_IN_LIST');
    expectRefusal(await post(requiring.url, { extensions: apq(sha256(UNLISTED)) }), 'PERSISTED_QUERY_NOT_IN_LIST');
    expectRefusal(await post(requiring.url, { documentId: `sha256:${sha256(UNLISTED)}` }), 'PERSISTED_QUERY_NOT_IN_LIST');
    expectRefusal(await post(requiring.url, { query: UNLISTED, extensions: apq(genresHash) }), 'PERSISTED_QUERY_HASH_MISMATCH');
    expect(requiringLogs.lines.filter((line) => line.level === 'error' || Number(line.level) >= 50)).toEqual([]);
  });
});

describe("Apollo Client's persisted-queries link, set up as the README says", () => {
  it('runs the generated documents on a gateway that requires trusted documents, sending their hash alone', async () => {
    const { ApolloClient, HttpLink, InMemoryCache } = await import('@apollo/client/core');
    const { createPersistedQueryLink } = await import('@apollo/client/link/persisted-queries');
    const sent: unknown[] = [];
    const client = new ApolloClient({
      link: createPersistedQueryLink({
        generateHash: (document) => (document as { __meta__?: { hash: string } }).__meta__!.hash.replace('sha256:', ''),
      }).concat(
        new HttpLink({
          uri: requiring.url,
          fetch: async (input, init) => {
            sent.push(JSON.parse(String(init?.body)));
            return fetch(input, init);
          },
        }),
      ),
      cache: new InMemoryCache(),
    });
    const { data } = await client.query({ query: GenresDocument });
    expect(data!.genres.length).toBeGreaterThan(0);
    // The cache needs the __typename it would have asked for: the manifest's document has it.
    expect(data!.genres[0]!.__typename).toBe('Genre');
    // The hash alone, no text (Apollo Client 4 also names itself in extensions.clientLibrary).
    expect(sent).toEqual([
      { operationName: 'Genres', variables: {}, extensions: expect.objectContaining({ persistedQuery: { version: 1, sha256Hash: genresHash } }) },
    ]);
  });
});

describe('GATEWAY_TRUSTED_DOCUMENTS=require over WebSocket', () => {
  it('holds queries and subscriptions sent over the socket to the list as well', async () => {
    const token = testAccessToken({ id: new Types.ObjectId().toHexString(), role: 'USER' });
    const client = createClient({
      url: requiring.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    const run = (query: string) =>
      new Promise<unknown>((resolve) => {
        let result: unknown;
        client.subscribe({ query }, { next: (value) => (result = value), error: (error) => resolve({ error }), complete: () => resolve(result) });
      });
    try {
      expect(await run(UNLISTED)).toMatchObject({ error: [{ extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' } }] });
      expect(await run(genresDocument)).toMatchObject({ data: { genres: expect.any(Array) } });
      // Subscriptions run outside Apollo Server's plugins: held to the list all the same.
      expect(await run('subscription Unlisted { myPlaybackSessions { id } }')).toMatchObject({
        error: [{ extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' } }],
      });
    } finally {
      await client.dispose();
    }
  });
});

describe('the manifest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ott-manifest-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (content: string) => {
    const path = join(dir, `${sha256(content)}.json`);
    writeFileSync(path, content);
    return path;
  };

  it('is loaded keyed by bare hash, whatever the prefix', () => {
    const listed = loadManifest(write(JSON.stringify({ [`sha256:${sha256(UNLISTED)}`]: UNLISTED })));
    expect([...listed]).toEqual([[sha256(UNLISTED), UNLISTED]]);
  });

  it('stops the start when an id is not the hash of its document, or the file is not a manifest', () => {
    expect(() => loadManifest(write(JSON.stringify({ [genresHash]: UNLISTED })))).toThrow(/not the SHA-256 of its document/);
    expect(() => loadManifest(write('[]'))).toThrow(/not an object/);
    expect(() => loadManifest(join(dir, 'missing.json'))).toThrow(/cannot read the manifest/);
  });

  it('may be missing at its default place with allow only: require, or a path that was set, stops the start', () => {
    const logs = logCapture();
    const logger = createLogger('gateway', 'info', logs.destination);
    const missing = join(dir, 'missing.json');
    expect(trustedDocuments({ GATEWAY_TRUSTED_DOCUMENTS: 'allow', trustedDocumentsPath: missing }, logger).size).toBe(0);
    expect(logs.messages('no trusted-documents manifest: no document runs by id')).toHaveLength(1);
    expect(() => trustedDocuments({ GATEWAY_TRUSTED_DOCUMENTS: 'require', trustedDocumentsPath: missing }, logger)).toThrow(/cannot read/);
    expect(() =>
      trustedDocuments({ GATEWAY_TRUSTED_DOCUMENTS: 'allow', GATEWAY_TRUSTED_DOCUMENTS_PATH: missing, trustedDocumentsPath: missing }, logger),
    ).toThrow(/cannot read/);
    expect(trustedDocuments({ GATEWAY_TRUSTED_DOCUMENTS: 'off', trustedDocumentsPath: missing }, logger).size).toBe(0);
  });
});
