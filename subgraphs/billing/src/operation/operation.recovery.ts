import { GraphQLError } from 'graphql';
import { appError, badInput, isPublicError, type Logger } from '@ott/kit';
import { billingCodes, ErrorCode } from '../errors';
import type { InvoiceService } from '../invoice/invoice.service';
import type { MembershipModel } from '../membership/membership.model';
import type { OperationDocument } from './operation.model';
import type { OperationEffects } from './operation.runner';
import type { OperationSteps } from './operation.steps';
import type { OperationStore } from './operation.store';

export interface RecoveryOptions {
  /** How often to look for pending operations past their lease. */
  intervalMs: number;
  /** Failed attempts at finishing one operation before it is compensated instead. */
  attempts: number;
  /** Operations taken over per sweep at most. */
  batchSize: number;
  /** How long the worker holds an operation it is compensating (the store's lease). */
  leaseMs: number;
}

export interface OperationRecoveryDeps {
  operations: OperationStore;
  effects: OperationEffects;
  steps: OperationSteps;
  memberships: MembershipModel;
  invoices: InvoiceService;
  logger: Logger;
  options: RecoveryOptions;
}

// A failed attempt is retried after the interval, doubling up to this.
const MAX_BACKOFF_MS = 5 * 60_000;
const ERROR_LOG_INTERVAL_MS = 30_000;

/**
 * Finishes what requests leave unfinished, so that a charge never stands without its
 * membership or a refund. It runs in every billing process, started with it:
 * - an operation whose request failed or ran out of time in this process is handed over at
 *   once (`adopt`), with the payment token the request carried, and carried on outside that
 *   request and its deadline;
 * - every interval, operations any process left pending past their lease (it died, or could
 *   not even release the lease) are taken over, each by one process (the store's conditional
 *   takeover), and carried on from their last recorded step.
 * An operation that still fails after `attempts` tries is compensated: its charge refunded,
 * its invoice voided, itself FAILED with the reason. A client error on the way (a decline, a
 * purchase interrupted before any payment) fails it as it would have failed its request.
 */
export class OperationRecovery {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly adopted: { operation: OperationDocument; paymentToken: string | undefined }[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private lastErrorLog = 0;

  constructor(private readonly deps: OperationRecoveryDeps) {}

  start(): this {
    this.running = true;
    this.loop = this.run();
    return this;
  }

  /** Stops looking and waits for the operations under way: what is left, the next start (of any instance) resumes. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  /**
   * Hands over an operation this process held and gave up on. False when stopped: its lease
   * then runs out and any instance's sweep takes it over.
   */
  adopt(operation: OperationDocument, paymentToken: string | undefined): boolean {
    if (!this.running) return false;
    this.adopted.push({ operation, paymentToken });
    this.wake?.();
    return true;
  }

  /** One look for operations past their lease: takes over and carries on each it wins; answers how many. */
  async sweep(): Promise<number> {
    let taken = 0;
    for (const found of await this.deps.operations.findAbandoned(this.deps.options.batchSize)) {
      const claimed = await this.deps.operations.claim(found);
      if (!claimed) continue;
      taken += 1;
      // One that cannot even record its failure waits for its lease to run out; the others go on.
      await this.carryOn(claimed, undefined).catch((error: unknown) =>
        this.warn(error, 'could not carry on an abandoned operation: its lease runs out and a sweep retries'),
      );
    }
    return taken;
  }

  // The loop's work runs in the context the loop started in, outside any request: no
  // request's database budget or deadline applies to it, whoever woke it.
  private async run(): Promise<void> {
    let nextSweep = 0;
    while (this.running) {
      for (const { operation, paymentToken } of this.adopted.splice(0)) this.track(this.takeBack(operation, paymentToken));
      if (Date.now() >= nextSweep) {
        nextSweep = Date.now() + this.deps.options.intervalMs;
        await this.sweep().catch((error: unknown) => this.warn(error, 'could not look for abandoned operations: trying again next interval'));
      }
      if (this.adopted.length > 0 || !this.running) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, nextSweep - Date.now()));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) =>
      this.warn(error, 'could not carry on an operation its request gave up on: its lease runs out and a sweep retries'),
    );
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private async takeBack(operation: OperationDocument, paymentToken: string | undefined): Promise<void> {
    const held = await this.deps.operations.takeBack(operation);
    if (held) await this.carryOn(held, paymentToken);
  }

  private async carryOn(operation: OperationDocument, paymentToken: string | undefined): Promise<void> {
    const about = aboutOf(operation);
    try {
      const done = await this.deps.effects.carryOut(operation, paymentToken);
      await this.deps.operations.succeed(done, done.membershipId!);
      this.deps.logger.info(about, 'finished an operation its request left unfinished');
    } catch (error) {
      if (error instanceof GraphQLError && isPublicError(error, billingCodes)) {
        await this.deps.operations.fail(operation, error);
        this.deps.logger.info({ ...about, code: error.extensions.code }, 'closed an operation its request left unfinished: nothing stands charged');
        return;
      }
      await this.failedAttempt(operation, error instanceof Error ? error.message : String(error));
    }
  }

  private async failedAttempt(operation: OperationDocument, reason: string): Promise<void> {
    const { intervalMs, attempts, leaseMs } = this.deps.options;
    const attempt = operation.recoveryAttempts + 1;
    const giveUp = attempt >= attempts;
    const retryIn = giveUp ? leaseMs : Math.min(intervalMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
    const noted = await this.deps.operations.noteFailedAttempt(operation, reason, new Date(Date.now() + retryIn));
    // null: another process took it over meanwhile, and carries it on.
    if (!noted) return;
    if (!giveUp) {
      this.deps.logger.warn(
        { ...aboutOf(operation), attempt, err: { message: reason } },
        'could not finish an operation its request left unfinished: trying again',
      );
      return;
    }
    await this.compensate(noted, reason);
  }

  /** Undoes what an operation that cannot be finished did: refunds its charge and voids its invoice, then fails it. */
  private async compensate(operation: OperationDocument, reason: string): Promise<void> {
    const about = aboutOf(operation);
    if (await this.applied(operation)) {
      // Only what comes after the membership change kept failing: the change is made and paid for.
      await this.deps.operations.succeed(operation, operation.membershipId!);
      this.deps.logger.warn({ ...about, err: { message: reason } }, 'an operation kept failing after its membership change was made: marked it done');
      return;
    }
    const refunded = await this.deps.steps.ensureRefund(operation, reason);
    await this.deps.invoices.voidRefunded(this.deps.steps.invoiceSourceKey(refunded), refunded.id);
    const clientKey = !refunded.key.includes(':');
    const answer = clientKey
      ? badInput(
          'idempotencyKey',
          'belongs to a purchase that could not be completed: nothing changed, and any charge was refunded in full. Subscribe again with a new key.',
        )
      : appError(ErrorCode.INTERNAL_SERVER_ERROR, 'The change could not be completed; nothing changed, and any charge was refunded in full.');
    await this.deps.operations.fail(refunded, answer, { releaseKey: !clientKey });
    this.deps.logger.error(
      { ...about, refunded: refunded.refundId !== null, err: { message: reason } },
      'gave up on an operation that kept failing: refunded its charge and failed it',
    );
    // A process that lost the operation but was already past its last fenced step could still
    // make the change; the refund then needs a person.
    if (await this.applied(operation)) {
      this.deps.logger.error(about, 'the membership change of an operation was made after it was refunded: charge the member again or leave it');
    }
  }

  /** Whether the membership change was made: only this operation can have moved the membership past its revision. */
  private async applied(operation: OperationDocument): Promise<boolean> {
    if (!operation.membershipId) return false;
    const membership = await this.deps.memberships.findById(operation.membershipId).exec();
    return membership !== null && membership.revision > operation.membershipRevision;
  }

  private warn(error: unknown, message: string): void {
    const now = Date.now();
    if (now - this.lastErrorLog < ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLog = now;
    this.deps.logger.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, message);
  }
}

const aboutOf = (operation: OperationDocument) => ({
  operationId: operation.id,
  userId: operation.userId,
  kind: operation.kind,
  generation: operation.generation,
});
