import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callSubgraph, createLogger, DEADLINE_HEADER, DeadlinePassedError, withDatabaseBudget } from '../src';

// A real HTTP owner on a free port: it records what it was sent and answers after `delayMs`.
const logger = createLogger('subgraph-call-test', 'silent');
const received: IncomingHttpHeaders[] = [];
let delayMs = 0;
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    setTimeout(() => res.setHeader('content-type', 'application/json').end(JSON.stringify({ data: { ok: true } })), delayMs);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const call = () => callSubgraph<{ ok: boolean }>({ url, query: '{ ok }', requestId: 'req-1', owner: 'Test owner', timeoutMs: 2_000 }, logger);

describe('a call to another subgraph', () => {
  it('passes on the deadline of the request it serves, so the owner stops when the gateway does', async () => {
    delayMs = 0;
    const deadline = Date.now() + 5_000;
    await expect(withDatabaseBudget(2, call, deadline)).resolves.toEqual({ ok: true });
    expect(received.at(-1)).toMatchObject({ [DEADLINE_HEADER]: String(deadline), 'x-request-id': 'req-1' });
  });

  it('sends no deadline outside a request (consumers, start-up), and waits its own timeout', async () => {
    delayMs = 0;
    await expect(call()).resolves.toEqual({ ok: true });
    expect(received.at(-1)?.[DEADLINE_HEADER]).toBeUndefined();
  });

  it('gives up at the request’s deadline, sooner than its own timeout, with a masked error', async () => {
    // The owner answers after 1 s, within the call's own 2 s: only the deadline can fail it.
    delayMs = 1_000;
    const failure = await withDatabaseBudget(2, call, Date.now() + 150).catch((error: unknown) => error);
    expect(failure).toMatchObject({ extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('is not made at all once the deadline has passed', async () => {
    const before = received.length;
    await expect(withDatabaseBudget(2, call, Date.now() - 1)).rejects.toBeInstanceOf(DeadlinePassedError);
    expect(received).toHaveLength(before);
  });
});
