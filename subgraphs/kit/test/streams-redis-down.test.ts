import { createServer, connect, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, inject, it } from 'vitest';
import { createLogger } from '../src/logger';
import { StreamPublisher } from '../src/streams';
import { startPrivateRedis, uniqueTag } from '../src/testing';
import { admin, cleanups, client, marks, newStream, pending, recorder, settings, startConsumer, waitFor } from './support/stream-harness';

// A stream consumer and publisher while Redis is down, restarted empty, or cut off.

async function relayTo(port: number) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = (onPort: number) =>
    new Promise<number>((done, fail) => {
      server = createServer((socket) => {
        const upstream = connect(port, '127.0.0.1');
        for (const [from, to] of [
          [socket, upstream],
          [upstream, socket],
        ] as const) {
          sockets.add(from);
          from.pipe(to);
          from.on('error', () => to.destroy());
          from.on('close', () => to.destroy());
        }
      });
      server.once('error', fail);
      server.listen(onPort, '127.0.0.1', () => done((server!.address() as { port: number }).port));
    });
  const relayPort = await listen(0);
  const cut = () =>
    new Promise<void>((done) => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      server!.close(() => done());
    });
  cleanups.push(cut);
  return { url: `redis://127.0.0.1:${relayPort}`, cut, restore: () => listen(relayPort) };
}

describe('event streams while Redis is down', () => {
  it('a consumer started while Redis is down handles what is published once Redis starts, and again after Redis restarts empty', async () => {
    let redisServer = await startPrivateRedis();
    const { port, url } = redisServer;
    await redisServer.stop();
    cleanups.push(() => redisServer.stop());
    const stream = `t:${uniqueTag('outage')}:events`;
    const publisher = new StreamPublisher(client(url), marks, { stream, lostMessage: 'test event lost' }, createLogger('streams-test', 'silent'));
    const { handled, handle } = recorder();
    startConsumer(stream, settings(), handle, { url });

    // Refused while Redis is down: the publisher says so, and its caller must publish again.
    expect(await publisher.publish({ contentId: 'during' })).toBe(false);
    expect(publisher.failures).toBe(1);
    await sleep(300);

    redisServer = await startPrivateRedis(port);
    const after = await waitFor(async () => ((await publisher.publish({ contentId: 'after' })) ? true : undefined), 'the publisher to reconnect');
    expect(after).toBe(true);
    await waitFor(() => handled.length === 1 || undefined, 'the entry published once Redis started', 15_000);

    // No data kept: stream and group are gone, and the consumer creates the group again.
    await redisServer.stop();
    redisServer = await startPrivateRedis(port);
    await waitFor(async () => ((await publisher.publish({ contentId: 'restarted' })) ? true : undefined), 'the publisher to reconnect again');
    await waitFor(() => handled.length === 2 || undefined, 'the entry published after the restart', 15_000);
  });

  it('a consumer cut off from Redis catches up on everything published meanwhile, in order and once', async () => {
    const stream = await newStream('cut-off');
    const relay = await relayTo(Number(new URL(inject('redisUrl')).port));
    const { handled, handle } = recorder();
    startConsumer(stream, settings(), handle, { url: relay.url });
    const before = (await admin.xadd(stream, '*', 'n', '0'))!;
    await waitFor(() => handled.length === 1 || undefined, 'the first entry');

    await relay.cut();
    const during: string[] = [];
    for (let n = 1; n <= 5; n++) {
      during.push((await admin.xadd(stream, '*', 'n', String(n)))!);
      await sleep(200);
    }
    expect(handled).toEqual([before]);
    await relay.restore();

    await waitFor(() => handled.length === 6 || undefined, 'the entries published while cut off', 15_000);
    await sleep(300);
    expect(handled).toEqual([before, ...during]);
    expect((await pending(stream))[0]).toBe(0);
  });
});
