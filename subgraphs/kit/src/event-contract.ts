import type { Logger } from './logger';

/** What reading one message found: the event, or why the message is not one. */
export type Decoded<T> = { event: T } | { problem: string };

/**
 * How one kind of event crosses a process: its name, and how it is written to and read back
 * from the wire. Producers only encode and consumers only decode, so the two sides cannot drift
 * apart field by field. `decode` validates: a message may come from an older or newer publisher
 * during a rollout, or from anyone who can write to Redis.
 *
 * The kit knows no event by name; each contract lives with the code that owns the event
 * (`@ott/events` for events between subgraphs, docs/architecture.md "Events").
 */
export interface EventContract<T, Wire> {
  readonly name: string;
  encode(event: T): Wire;
  decode(wire: Wire): Decoded<T>;
}

/** An event carried by a Redis stream entry: its fields, all strings as Redis stores them. */
export type StreamContract<T> = EventContract<T, Readonly<Record<string, string>>>;

/** An event carried by a pub/sub message: one string. */
export type ChannelContract<T> = EventContract<T, string>;

/** The event `wire` holds, or undefined after a warning naming the contract and the problem (never a throw). */
export function decodeOrWarn<T, Wire>(contract: EventContract<T, Wire>, wire: Wire, logger: Logger, context: Record<string, unknown> = {}): T | undefined {
  let decoded: Decoded<T>;
  try {
    decoded = contract.decode(wire);
  } catch (err) {
    decoded = { problem: (err as Error).message };
  }
  if ('event' in decoded) return decoded.event;
  // The message itself is not logged: it is the publisher's to define and could hold anything.
  logger.warn({ ...context, event: contract.name, problem: decoded.problem }, 'ignored a malformed event message');
  return undefined;
}
