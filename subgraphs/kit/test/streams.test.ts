import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, inject, it } from 'vitest';
import { ConfigError, loadConfig, redisEnv, streamConsumerEnv, streamConsumerSettings } from '../src/config';
import { uniqueTag } from '../src/testing';
import {
  admin,
  capturingLogger,
  cleanups,
  client,
  consumerProcess,
  consumers,
  GROUP,
  newStream,
  pending,
  recorder,
  settings,
  startConsumer,
  waitFor,
} from './support/stream-harness';

describe('stream consumer names', () => {
  it('gives two processes on one host different names, and uses STREAM_CONSUMER_NAME as given', async () => {
    const stream = await newStream('names');
    const env = { TEST_STREAM: stream, TEST_GROUP: GROUP };
    const first = consumerProcess(env);
    const second = consumerProcess(env);
    const [, firstName] = await first.line(/^consumer (\S+)$/);
    const [, secondName] = await second.line(/^consumer (\S+)$/);
    expect(firstName).toMatch(new RegExp(`^${hostname()}-${first.pid}-[0-9a-f]{6}$`));
    expect(secondName).toMatch(new RegExp(`^${hostname()}-${second.pid}-[0-9a-f]{6}$`));
    expect(firstName).not.toBe(secondName);
    // Both joined the group, each under its own name.
    await waitFor(async () => ((await consumers(stream)).size === 2 ? true : undefined), 'both consumers in the group');
    expect([...(await consumers(stream)).keys()].sort()).toEqual([firstName, secondName].sort());

    const named = consumerProcess({ ...env, STREAM_CONSUMER_NAME: 'catalog-0' });
    expect((await named.line(/^consumer (\S+)$/))[1]).toBe('catalog-0');
  });

  it('draws a new name at every start unless one is configured, and reads the claim settings with their defaults', () => {
    const load = (env: NodeJS.ProcessEnv) => streamConsumerSettings(loadConfig({ ...redisEnv, ...streamConsumerEnv }, env));
    const one = load({});
    expect(one).toMatchObject({ claimIdleMs: 60_000, maxDeliveries: 10, deadConsumerMs: 3_600_000 });
    expect(load({}).name).not.toBe(one.name);
    expect(load({ STREAM_CONSUMER_NAME: 'pod-7', STREAM_CLAIM_IDLE_MS: '500', STREAM_MAX_DELIVERIES: '3', STREAM_DEAD_CONSUMER_MS: '0' })).toEqual({
      name: 'pod-7',
      claimIdleMs: 500,
      maxDeliveries: 3,
      deadConsumerMs: 0,
    });
    expect(() => load({ STREAM_CLAIM_IDLE_MS: 'soon' })).toThrow(ConfigError);
    expect(() => load({ STREAM_CONSUMER_NAME: 'has spaces' })).toThrow(/STREAM_CONSUMER_NAME/);
  });
});

describe('gathering', () => {
  it('handles the first entry after a quiet spell at once, then what arrives during the pause as one batch', async () => {
    const stream = await newStream('gather');
    const batches: string[][] = [];
    startConsumer(stream, settings(), async (entries) => void batches.push(entries.map((e) => e.fields.get('n')!)), { gatherMs: 1_500 });
    await admin.xadd(stream, '*', 'n', '0');
    await waitFor(() => batches.length === 1 || undefined, 'the first entry');
    for (let n = 1; n <= 20; n++) await admin.xadd(stream, '*', 'n', String(n));
    await waitFor(() => batches.flat().length === 21 || undefined, 'every entry');

    expect(batches).toEqual([['0'], Array.from({ length: 20 }, (_, i) => String(i + 1))]);
  });

  it('stops during a pause without waiting for its end', async () => {
    const stream = await newStream('gather-stop');
    const { handled, handle } = recorder();
    const consumer = startConsumer(stream, settings(), handle, { gatherMs: 600_000 });
    await admin.xadd(stream, '*', 'n', '1');
    await waitFor(() => handled.length === 1 || undefined, 'the entry that starts a ten-minute pause');
    await consumer.stop(); // would outlast the test's timeout if the pause held it
  });
});

describe('entries left pending', () => {
  it('a second consumer claims an entry a killed consumer left pending, and handles it once', async () => {
    const stream = await newStream('killed');
    const id = (await admin.xadd(stream, '*', 'contentId', 'c1'))!;
    const doomed = consumerProcess({ TEST_STREAM: stream, TEST_GROUP: GROUP, TEST_HANDLER: 'hang' });
    const [, doomedName] = await doomed.line(/^consumer (\S+)$/);
    expect((await doomed.line(/^handling (\S+)$/))[1]).toBe(id);
    await doomed.kill();
    // Read, never acknowledged: the entry waits under the dead process's name.
    expect(await pending(stream)).toEqual([1, id, id, [[doomedName, '1']]]);

    const { lines, logger } = capturingLogger();
    const { handled, handle } = recorder();
    startConsumer(stream, settings({ claimIdleMs: 300 }), handle, { logger });
    await waitFor(() => handled.length > 0 || undefined, 'the claimed entry to be handled');
    // Several claim rounds later, still handled once and nothing pending.
    await sleep(1_000);
    expect(handled).toEqual([id]);
    expect((await pending(stream))[0]).toBe(0);
    expect(lines.filter((line) => line.msg === 'claimed stream entries pending longer than STREAM_CLAIM_IDLE_MS')).toMatchObject([
      { level: 'info', claimed: 1 },
    ]);
  });

  it('a consumer restarted under its configured name handles its own pending entries at once, without waiting for a claim', async () => {
    const stream = await newStream('restarted');
    const id = (await admin.xadd(stream, '*', 'contentId', 'c1'))!;
    const name = uniqueTag('pod');
    let reading!: () => void;
    const read = new Promise<void>((done) => (reading = done));
    // The first run reads the entry, and its connection goes away while the handler awaits.
    const firstRun = client(inject('redisUrl'));
    startConsumer(
      stream,
      settings({ name }),
      () => {
        reading();
        return new Promise<never>(() => undefined);
      },
      { redis: firstRun },
    );
    // Its handler never returns, so it cannot be stopped: it is only cut off.
    cleanups.pop();
    await read;
    firstRun.disconnect();

    const { handled, handle } = recorder();
    const started = Date.now();
    startConsumer(stream, settings({ name }), handle);
    await waitFor(() => handled.length > 0 || undefined, 'the own pending entry to be handled');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(handled).toEqual([id]);
    expect((await pending(stream))[0]).toBe(0);
  });

  it('gives up on a poison entry after STREAM_MAX_DELIVERIES, logs it at error level, and does not hold back the entries after it', async () => {
    const stream = await newStream('poison');
    const poison = (await admin.xadd(stream, '*', 'contentId', 'poison'))!;
    const next = [(await admin.xadd(stream, '*', 'contentId', 'a'))!, (await admin.xadd(stream, '*', 'contentId', 'b'))!];
    const { lines, logger } = capturingLogger();
    const attempts: string[] = [];
    const handled: string[] = [];
    startConsumer(
      stream,
      settings({ claimIdleMs: 200, maxDeliveries: 3 }),
      async (entries) => {
        attempts.push(...entries.map((entry) => entry.id));
        if (entries.some((entry) => entry.fields.get('contentId') === 'poison')) throw new Error('cannot handle this one');
        handled.push(...entries.map((entry) => entry.id));
      },
      { logger, retryMs: 50 },
    );
    const givenUp = () => lines.filter((line) => line.msg.startsWith('gave up on a stream entry'));

    // The batch failed; retried one by one, the other two are handled while the poison waits.
    await waitFor(() => handled.length === 2 || undefined, 'the entries after the poison one');
    expect(handled).toEqual(next);
    expect(givenUp()).toEqual([]);

    await waitFor(() => givenUp().length > 0 || undefined, 'the poison entry to be given up');
    expect(givenUp()).toMatchObject([{ level: 'error', entryId: poison, deliveries: 3, maxDeliveries: 3, err: { message: 'cannot handle this one' } }]);
    expect((await pending(stream))[0]).toBe(0);
    // Its first delivery as part of the batch and alone, then once per claim.
    expect(attempts.filter((id) => id === poison)).toHaveLength(4);

    const later = (await admin.xadd(stream, '*', 'contentId', 'c'))!;
    await waitFor(() => handled.includes(later) || undefined, 'an entry published after the give-up');
    await sleep(500);
    expect(attempts.filter((id) => id === poison)).toHaveLength(4);
  });

  it('gives up without calling the handler on an entry already delivered more than STREAM_MAX_DELIVERIES times, as one that kills every process taking it is', async () => {
    const stream = await newStream('spent');
    const id = (await admin.xadd(stream, '*', 'contentId', 'c1'))!;
    // Three processes took it and died before acknowledging (each read is a delivery).
    await admin.xreadgroup('GROUP', GROUP, 'dead-1', 'COUNT', 10, 'STREAMS', stream, '>');
    for (const name of ['dead-2', 'dead-3']) await admin.xclaim(stream, GROUP, name, 0, id);
    const { lines, logger } = capturingLogger();
    const { handled, handle } = recorder();
    startConsumer(stream, settings({ claimIdleMs: 50, maxDeliveries: 3 }), handle, { logger });

    await waitFor(() => lines.find((line) => line.msg.startsWith('gave up on a stream entry')), 'the give-up');
    expect(lines.find((line) => line.msg.startsWith('gave up'))).toMatchObject({ level: 'error', entryId: id, deliveries: 4 });
    expect(handled).toEqual([]);
    expect((await pending(stream))[0]).toBe(0);
  });

  it('drops a pending entry deleted from the stream before anyone handled it, without calling the handler', async () => {
    const stream = await newStream('trimmed');
    const id = (await admin.xadd(stream, '*', 'contentId', 'c1'))!;
    await admin.xreadgroup('GROUP', GROUP, 'dead', 'COUNT', 10, 'STREAMS', stream, '>');
    await admin.xdel(stream, id);
    const { lines, logger } = capturingLogger();
    const { handled, handle } = recorder();
    startConsumer(stream, settings({ claimIdleMs: 50 }), handle, { logger });

    await waitFor(async () => ((await pending(stream))[0] === 0 ? true : undefined), 'the deleted entry to leave the group');
    expect(handled).toEqual([]);
    expect(lines.find((line) => line.msg.startsWith('pending stream entries were deleted'))).toMatchObject({ level: 'warn', entryIds: [id] });
  });

  it('removes consumers idle longer than STREAM_DEAD_CONSUMER_MS that hold nothing, and keeps one that still holds an entry', async () => {
    const stream = await newStream('dead-consumers');
    await admin.xadd(stream, '*', 'contentId', 'c1');
    await admin.xreadgroup('GROUP', GROUP, 'replaced-holding', 'COUNT', 10, 'STREAMS', stream, '>');
    await admin.xgroup('CREATECONSUMER', stream, GROUP, 'replaced-idle');
    await sleep(300);
    const { lines, logger } = capturingLogger();
    const me = settings({ deadConsumerMs: 250 });
    startConsumer(stream, me, recorder().handle, { logger });

    await waitFor(async () => {
      const now = await consumers(stream);
      return !now.has('replaced-idle') && now.has(me.name) ? true : undefined;
    }, 'the idle consumer to be removed');
    expect(await consumers(stream)).toEqual(
      new Map([
        ['replaced-holding', 1],
        [me.name, 0],
      ]),
    );
    expect(lines.find((line) => line.msg.startsWith('removed consumers idle'))).toMatchObject({ consumers: ['replaced-idle'] });
  });
});

/** A TCP relay to Redis that can be cut (connections dropped, new ones refused) and restored. */
