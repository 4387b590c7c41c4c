import { connect, createServer, type Server, type Socket } from 'node:net';
import { expect } from 'vitest';
import type { GraphQLResponse } from '@ott/kit/testing';

/**
 * A TCP relay in front of a real service that can hold back its answers: how a slow subgraph
 * looks from the gateway, with nothing mocked (the bytes are the service's own).
 */
export interface SlowLink {
  /** The service's URL, through the relay. */
  url: string;
  /** How long each chunk from the service is held back. */
  delayMs: number;
  close(): Promise<void>;
}

export async function slowLink(targetUrl: string): Promise<SlowLink> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const link = { delayMs: 0 } as SlowLink;
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      const delay = link.delayMs;
      if (delay > 0) setTimeout(() => client.writable && client.write(chunk), delay);
      else client.write(chunk);
    });
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => setTimeout(() => client.destroy(), link.delayMs));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  link.url = `http://127.0.0.1:${port}${target.pathname}`;
  link.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return link;
}

/** Nothing internal in an answer: no subgraph names or URLs, no stacks, no driver messages. */
export function expectNoInternals(response: GraphQLResponse<unknown>): void {
  const text = JSON.stringify(response.errors ?? []);
  expect(text).not.toMatch(/localhost|127\.0\.0\.1|https?:\/\/|serviceName|ECONN|fetch failed|aborted|E11000|MongoServerError|stack/i);
}

/**
 * Writes of a load that runs while the test breaks something: each write is tried once, and
 * only those answered without error count as acknowledged.
 */
export class WriteLoad {
  readonly acknowledged: string[] = [];
  refused = 0;
  private running = true;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly keys: readonly string[],
    private readonly write: (key: string) => Promise<GraphQLResponse<unknown>>,
    private readonly pauseMs = 20,
  ) {}

  start(): this {
    this.loop = (async () => {
      for (const key of this.keys) {
        if (!this.running) break;
        const response = await this.write(key).catch(() => null);
        if (response && !response.errors) this.acknowledged.push(key);
        else this.refused += 1;
        await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
      }
    })();
    return this;
  }

  /** Waits until the load wrote everything (or was stopped). */
  async done(): Promise<void> {
    await this.loop;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
