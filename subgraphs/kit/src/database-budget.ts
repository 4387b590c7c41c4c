import { AsyncLocalStorage } from 'node:async_hooks';
import mongoose from 'mongoose';

/** At most `limit` holders at once; the others wait in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** The most held at once: tests read it to show the bound holds. */
  peak = 0;

  constructor(private readonly limit: number) {}

  async acquire(): Promise<void> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active += 1;
    this.peak = Math.max(this.peak, this.active);
  }

  release(): void {
    this.active -= 1;
    this.waiting.shift()?.();
  }
}

/** A request's database budget: its slots, and when it starts nothing more (its deadline, or its caller gone). */
export class DatabaseBudget extends Semaphore {
  constructor(
    limit: number,
    /** Ms since the epoch (the gateway's x-request-deadline); Infinity when the caller gave none. */
    readonly deadline = Number.POSITIVE_INFINITY,
    /** Aborted when the caller went away (its connection closed before the answer). */
    readonly callerGone?: AbortSignal,
  ) {
    super(limit);
  }

  /** Why no more work should start for this request, if it should not. */
  get stopped(): DeadlinePassedError | undefined {
    if (this.callerGone?.aborted) return new DeadlinePassedError('the caller closed the request: not starting more database work for it');
    if (Date.now() > this.deadline) return new DeadlinePassedError();
    return undefined;
  }
}

/** The header the gateway sends its request's deadline in (ms since the epoch). */
export const DEADLINE_HEADER = 'x-request-deadline';

/** The database budget of the request being served (createGraphQLApp opens one per request). */
const scope = new AsyncLocalStorage<DatabaseBudget>();

/**
 * Runs `fn` (and everything it starts) as one request, allowed `limit` database operations at
 * once until `deadline`, or until `callerGone` aborts.
 */
export function withDatabaseBudget<T>(limit: number, fn: () => T, deadline?: number, callerGone?: AbortSignal): T {
  return scope.run(new DatabaseBudget(limit, deadline, callerGone), fn);
}

/** The budget of the request under way, if any (tests read its peak). */
export const currentDatabaseBudget = () => scope.getStore();

/** Raised instead of running a query, or calling another subgraph, for a request whose caller has stopped waiting. */
export class DeadlinePassedError extends Error {
  override name = 'DeadlinePassedError';
  constructor(message = 'the request deadline passed: not starting more database work for it') {
    super(message);
  }
}

const HELD = Symbol('database budget held');
type Holder = { [HELD]?: Semaphore };

const QUERY_OPERATIONS = [
  'find',
  'findOne',
  'countDocuments',
  'estimatedDocumentCount',
  'distinct',
  'findOneAndUpdate',
  'findOneAndDelete',
  'findOneAndReplace',
  'updateOne',
  'updateMany',
  'deleteOne',
  'deleteMany',
  'replaceOne',
] as const;

/**
 * Every query, aggregation and save of every model waits for a slot of its request's budget,
 * so one request (a page of aliases, a wide fan-out) cannot take the whole connection pool and
 * the database from its neighbours; and none starts once the request's deadline has passed
 * or its caller closed the request (the gateway gave up on it, or its client went away).
 * Work outside a request (consumers, start-up) is unbounded.
 */
function databaseBudgetPlugin(schema: mongoose.Schema): void {
  async function take(this: Holder) {
    const budget = scope.getStore();
    if (!budget) return;
    const before = budget.stopped;
    if (before) throw before;
    await budget.acquire();
    const after = budget.stopped;
    if (after) {
      budget.release();
      throw after;
    }
    this[HELD] = budget;
  }
  function give(this: Holder) {
    this[HELD]?.release();
    this[HELD] = undefined;
  }
  function giveOnError(this: Holder, error: Error, _result: unknown, next: (error?: Error) => void) {
    give.call(this);
    next(error);
  }
  for (const operation of QUERY_OPERATIONS) {
    schema.pre(operation, take);
    schema.post(operation, give);
    schema.post(operation, giveOnError);
  }
  schema.pre('aggregate', function () {
    return take.call(this as unknown as Holder);
  });
  schema.post('aggregate', function () {
    give.call(this as unknown as Holder);
  });
  schema.post('aggregate', function (error: Error, _result: unknown, next: (error?: Error) => void) {
    giveOnError.call(this as unknown as Holder, error, _result, next);
  });
  schema.pre('save', take);
  schema.post('save', give);
  schema.post('save', giveOnError);
}

let installed = false;

/** Registers the budget for every schema compiled from now on (the kit does it once, on import). */
export function installDatabaseBudget(): void {
  if (installed) return;
  installed = true;
  mongoose.plugin(databaseBudgetPlugin);
}
