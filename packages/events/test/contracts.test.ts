import { describe, expect, it } from 'vitest';
import type { Decoded, EventContract } from '@ott/kit';
import { contentDeleted, entitlementsChanged, playbackEvents, publicChanges, ratingSummaries } from '../src';

/** What a consumer reads back of what a producer wrote: a stream entry arrives as a fresh record of strings. */
function roundTrip<T, Wire>(contract: EventContract<T, Wire>, event: T): Decoded<T> {
  const wire = contract.encode(event);
  return contract.decode(typeof wire === 'string' ? wire : (structuredClone(wire) as Wire));
}

const problemOf = <T>(decoded: Decoded<T>) => ('problem' in decoded ? decoded.problem : undefined);

describe('content-deleted', () => {
  it('reads back what catalog writes', () => {
    expect(roundTrip(contentDeleted, { contentId: '65f0c0ffee' })).toEqual({ event: { contentId: '65f0c0ffee' } });
    expect(contentDeleted.encode({ contentId: 'c1' })).toEqual({ contentId: 'c1' });
  });

  it('rejects an entry without a contentId', () => {
    expect(problemOf(contentDeleted.decode({}))).toMatch(/contentId/);
    expect(problemOf(contentDeleted.decode({ contentId: '' }))).toMatch(/contentId/);
  });
});

describe('rating-summaries', () => {
  it('reads back what ratings writes, with or without a version', () => {
    expect(roundTrip(ratingSummaries, { contentId: 'c1', sum: 42, count: 5, version: 7 })).toEqual({
      event: { contentId: 'c1', sum: 42, count: 5, version: 7 },
    });
    expect(ratingSummaries.encode({ contentId: 'c1', sum: 42, count: 5, version: 7 })).toEqual({ contentId: 'c1', sum: '42', count: '5', version: '7' });
    // Entries of ratings processes older than versions.
    expect(roundTrip(ratingSummaries, { contentId: 'c1', sum: 0, count: 0, version: null })).toEqual({
      event: { contentId: 'c1', sum: 0, count: 0, version: null },
    });
  });

  it('rejects missing or non-integer numbers, and a negative count', () => {
    expect(problemOf(ratingSummaries.decode({ sum: '1', count: '1' }))).toMatch(/contentId/);
    expect(problemOf(ratingSummaries.decode({ contentId: 'c1', sum: '4.5', count: '1' }))).toMatch(/sum/);
    expect(problemOf(ratingSummaries.decode({ contentId: 'c1', sum: '4', count: '-1' }))).toMatch(/count/);
    expect(problemOf(ratingSummaries.decode({ contentId: 'c1', sum: '4', count: '1', version: 'x' }))).toMatch(/version/);
  });
});

describe('entitlements-changed', () => {
  it('reads back what billing writes', () => {
    expect(roundTrip(entitlementsChanged, { userId: 'u1' })).toEqual({ event: { userId: 'u1' } });
  });

  it('rejects an entry without a userId', () => {
    expect(problemOf(entitlementsChanged.decode({ memberId: 'u1' }))).toMatch(/userId/);
  });
});

describe('playback', () => {
  it('reads back what streaming writes', () => {
    const event = { sessionId: 's1', userId: 'u1', version: 3, kind: 'ENDED' } as const;
    expect(roundTrip(playbackEvents, event)).toEqual({ event });
  });

  it('rejects what is not JSON, a missing id, a fractional version or an unknown kind', () => {
    expect(problemOf(playbackEvents.decode('{'))).toMatch(/JSON/);
    expect(problemOf(playbackEvents.decode('null'))).toMatch(/sessionId/);
    expect(problemOf(playbackEvents.decode(JSON.stringify({ sessionId: 's1', version: 1, kind: 'STARTED' })))).toMatch(/userId/);
    expect(problemOf(playbackEvents.decode(JSON.stringify({ sessionId: 's1', userId: 'u1', version: 1.5, kind: 'STARTED' })))).toMatch(/version/);
    expect(problemOf(playbackEvents.decode(JSON.stringify({ sessionId: 's1', userId: 'u1', version: 1, kind: 'PAUSED' })))).toMatch(/kind/);
  });

  it('reads only the fields it defines', () => {
    const extra = JSON.stringify({ sessionId: 's1', userId: 'u1', version: 1, kind: 'STARTED', position: 12 });
    expect(playbackEvents.decode(extra)).toEqual({ event: { sessionId: 's1', userId: 'u1', version: 1, kind: 'STARTED' } });
  });
});

describe('public-changed', () => {
  it('reads back a change with and without a version', () => {
    expect(roundTrip(publicChanges, { subgraph: 'catalog', version: 12 })).toEqual({ event: { subgraph: 'catalog', version: 12 } });
    expect(publicChanges.encode({ subgraph: 'catalog', version: 12 })).toBe('catalog 12');
    expect(roundTrip(publicChanges, { subgraph: 'my-list' })).toEqual({ event: { subgraph: 'my-list' } });
  });

  it('rejects an empty message, a bad version and extra words', () => {
    expect(problemOf(publicChanges.decode(''))).toBeDefined();
    expect(problemOf(publicChanges.decode('catalog twelve'))).toMatch(/version/);
    expect(problemOf(publicChanges.decode('catalog '))).toMatch(/version/);
    expect(problemOf(publicChanges.decode('catalog 12 13'))).toBeDefined();
  });
});
