import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeOrWarn, type ChannelContract, type StreamContract } from '../src/event-contract';
import { createLogger } from '../src/logger';
import { decodingHandler } from '../src/streams';
import { tokenStampEvents } from '../src/token-stamp-event';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('test', 'info', sink), lines };
}

const counts: StreamContract<{ n: number }> = {
  name: 'test-counts',
  encode: ({ n }) => ({ n: String(n) }),
  decode: ({ n }) => (n !== undefined && Number.isInteger(Number(n)) ? { event: { n: Number(n) } } : { problem: 'n is not a whole number' }),
};

describe('decoding events', () => {
  it('hands a stream handler the events in order, skipping a malformed entry with a warning that names it', async () => {
    const { logger, lines } = capturingLogger();
    const handled: number[][] = [];
    const handle = decodingHandler(counts, logger, async (events) => void handled.push(events.map((event) => event.n)));
    await handle([
      { id: '1-0', fields: new Map([['n', '1']]) },
      { id: '2-0', fields: new Map([['n', 'secret-looking value']]) },
      { id: '3-0', fields: new Map([['n', '3']]) },
    ]);
    expect(handled).toEqual([[1, 3]]);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        entryId: '2-0',
        event: 'test-counts',
        problem: 'n is not a whole number',
        msg: 'ignored a malformed event message',
      }),
    ]);
    // The message's content is the publisher's: never logged.
    expect(JSON.stringify(lines)).not.toMatch(/secret-looking/);
  });

  it('does not call the handler for a batch of malformed entries only', async () => {
    const { logger } = capturingLogger();
    let calls = 0;
    await decodingHandler(counts, logger, async () => void calls++)([{ id: '1-0', fields: new Map() }]);
    expect(calls).toBe(0);
  });

  it('turns a decode that throws into a warning, not a crash', () => {
    const { logger, lines } = capturingLogger();
    const throwing: ChannelContract<string> = {
      name: 'throwing',
      encode: (s) => s,
      decode: () => {
        throw new Error('boom');
      },
    };
    expect(decodeOrWarn(throwing, 'x', logger, { channel: 'c' })).toBeUndefined();
    expect(lines[0]).toMatchObject({ level: 'warn', channel: 'c', event: 'throwing', problem: 'boom' });
  });
});

describe('token stamps contract', () => {
  it('reads back what users writes', () => {
    expect(tokenStampEvents.decode(tokenStampEvents.encode({ memberId: 'u1', validAfter: 1_700_000_000_000 }))).toEqual({
      event: { memberId: 'u1', validAfter: 1_700_000_000_000 },
    });
  });

  it('rejects a message without a whole-number stamp, or with extra words', () => {
    expect(tokenStampEvents.decode('u1')).toHaveProperty('problem');
    expect(tokenStampEvents.decode('u1 soon')).toHaveProperty('problem');
    expect(tokenStampEvents.decode('u1 1.5')).toHaveProperty('problem');
    expect(tokenStampEvents.decode('u1 1 2')).toHaveProperty('problem');
    expect(tokenStampEvents.decode(' 1')).toHaveProperty('problem');
  });
});
