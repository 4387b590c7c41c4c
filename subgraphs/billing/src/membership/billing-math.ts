import type { InvoiceLine } from '../invoice/invoice.model';
import type { Plan } from '../plan/plan.model';

/**
 * Pure money and calendar rules of billing. Money is integer cents throughout; the one
 * division (prorating) is done in BigInt and rounded half up, so no float ever holds money.
 */

/** One billing period later: the same day of the next month in UTC, clamped (31 Jan → 28/29 Feb). */
export function addMonth(date: Date): Date {
  const next = new Date(date.getTime());
  const day = next.getUTCDate();
  next.setUTCDate(1);
  next.setUTCMonth(next.getUTCMonth() + 1);
  const lastDay = new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 0)).getUTCDate();
  next.setUTCDate(Math.min(day, lastDay));
  return next;
}

/**
 * The share of `amountCents` for the part of a period still to run, rounded half up to a
 * whole cent. 0 when the period is over; the whole amount when it has not started.
 */
export function prorate(amountCents: number, remainingMs: number, periodMs: number): number {
  if (!Number.isSafeInteger(amountCents) || periodMs <= 0) throw new RangeError('prorate needs integer cents and a positive period');
  const remaining = BigInt(Math.min(Math.max(Math.round(remainingMs), 0), Math.round(periodMs)));
  const period = BigInt(Math.round(periodMs));
  const magnitude = (2n * BigInt(Math.abs(amountCents)) * remaining + period) / (2n * period);
  return Math.sign(amountCents) * Number(magnitude);
}

export const formatDay = (date: Date) => date.toISOString().slice(0, 10);

/** A period's bill, as subscribing and renewing both charge it: the plan's price less the credit used. */
export function periodLines(plan: Pick<Plan, 'name' | 'priceCents'>, start: Date, end: Date, creditCents: number): InvoiceLine[] {
  const lines = [{ description: `${plan.name} plan, ${formatDay(start)} to ${formatDay(end)}`, amountCents: plan.priceCents }];
  return creditCents > 0 ? [...lines, { description: 'Credit from an earlier plan change', amountCents: -creditCents }] : lines;
}

export const totalCents = (lines: InvoiceLine[]) => lines.reduce((sum, line) => sum + line.amountCents, 0);
