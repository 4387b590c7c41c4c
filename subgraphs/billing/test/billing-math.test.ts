import { describe, expect, it } from 'vitest';
import { addMonth, prorate } from '../src/membership/billing-math';

const DAY = 86_400_000;

describe('prorating in integer cents', () => {
  it('charges the whole difference when the whole period remains and nothing when it is over', () => {
    expect(prorate(1100, 30 * DAY, 30 * DAY)).toBe(1100);
    expect(prorate(1100, 0, 30 * DAY)).toBe(0);
    expect(prorate(1100, -DAY, 30 * DAY)).toBe(0);
  });

  it('rounds half a cent up, and credits (negative amounts) symmetrically', () => {
    expect(prorate(1, 1, 2)).toBe(1);
    expect(prorate(3, 1, 2)).toBe(2);
    expect(prorate(-3, 1, 2)).toBe(-2);
    expect(prorate(1100, 15 * DAY, 30 * DAY)).toBe(550);
    expect(prorate(1099, 10 * DAY, 30 * DAY)).toBe(366);
  });

  it('refuses non-integer cents instead of computing with floats', () => {
    expect(() => prorate(10.5, DAY, 30 * DAY)).toThrow(RangeError);
  });
});

describe('billing periods', () => {
  it('lasts one calendar month, clamped to the end of shorter months', () => {
    expect(addMonth(new Date('2026-03-15T10:00:00Z')).toISOString()).toBe('2026-04-15T10:00:00.000Z');
    expect(addMonth(new Date('2026-01-31T10:00:00Z')).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(addMonth(new Date('2028-01-31T10:00:00Z')).toISOString()).toBe('2028-02-29T10:00:00.000Z');
    expect(addMonth(new Date('2026-12-31T23:59:59Z')).toISOString()).toBe('2027-01-31T23:59:59.000Z');
  });
});
