import { setTimeout as sleep } from 'node:timers/promises';
import { GraphQLError } from 'graphql';
import { badInput, isPublicError } from '@ott/kit';
import { billingCodes } from '../errors';
import type { MembershipDocument, MembershipModel } from '../membership/membership.model';
import { OperationStatus, type OperationDocument } from './operation.model';
import { slotOf, type OperationDraft, type OperationStore } from './operation.store';

export interface OperationOptions {
  /** How long a process may carry out an operation before another may resume it. */
  leaseMs: number;
  /** How long a duplicate request waits for the first one before giving up (it may retry). */
  waitMs: number;
  pollMs: number;
  /** Attempts per charge on transient processor errors, all with the same idempotency key. */
  chargeAttempts: number;
}

/**
 * What each kind of operation does, carried on from whichever step it last recorded. The
 * runner needs it for every kind: a request may find and resume an operation of another.
 */
export interface OperationEffects {
  carryOut(operation: OperationDocument, paymentToken: string | undefined): Promise<OperationDocument>;
}

export interface OperationRequest {
  userId: string;
  /** A client's idempotency key: its first result answers every replay. */
  clientKey?: string;
  fingerprint?: string;
  paymentToken?: string;
  /** Reads the membership's current state: a draft to carry out, null for nothing to do, or throws. */
  prepare: (membership: MembershipDocument | null) => OperationDraft | null;
}

/** Who carries on an operation a request gave up on (operation.recovery.ts). */
export interface OperationHandOver {
  /** False when it cannot take it now (stopped). */
  adopt(operation: OperationDocument, paymentToken: string | undefined): boolean;
}

export interface OperationRunnerDeps {
  memberships: MembershipModel;
  operations: OperationStore;
  effects: OperationEffects;
  options: Pick<OperationOptions, 'waitMs' | 'pollMs'>;
  recovery?: OperationHandOver;
}

/**
 * Every change to a membership runs as one operation (operation.model.ts): started by an
 * insert that doubles as a lock, carried out in recorded steps, resumable by whichever
 * process finds it abandoned. That is how a charge happens once however often, and however
 * concurrently, a request is sent.
 */
export class OperationRunner {
  private readonly ops: OperationStore;

  constructor(private readonly deps: OperationRunnerDeps) {
    this.ops = deps.operations;
  }

  /**
   * Starts the operation the membership's current state calls for, or joins the one already
   * under way: a replayed key answers the first result; a request that finds the membership
   * busy with another waits for it and then decides again against the new state.
   */
  async perform(request: OperationRequest): Promise<OperationDocument | null> {
    const { userId, clientKey } = request;
    const deadline = Date.now() + this.deps.options.waitMs;
    for (;;) {
      if (clientKey) {
        const replay = await this.ops.findByKey(userId, clientKey);
        if (replay) return this.replay(replay, request.fingerprint!, request.paymentToken, deadline);
      }
      const draft = request.prepare(await this.deps.memberships.findOne({ userId }).exec());
      if (!draft) return null;
      const started = await this.ops.tryStart(userId, draft);
      if (started) return this.outcome(await this.drive(started, request.paymentToken));
      const sameKey = await this.ops.findByKey(userId, draft.key);
      if (sameKey) return this.replay(sameKey, draft.fingerprint, request.paymentToken, deadline);
      const holder = await this.ops.findBySlot(slotOf(userId, draft.membershipRevision));
      if (holder) await this.settled(holder, undefined, deadline);
      if (Date.now() > deadline) throw new Error(`membership of user ${userId} stayed busy for ${this.deps.options.waitMs} ms`);
    }
  }

  private async replay(operation: OperationDocument, fingerprint: string, paymentToken: string | undefined, deadline: number) {
    if (operation.fingerprint !== fingerprint) {
      throw badInput('idempotencyKey', 'was already used for a different request: use a new key for a new purchase.');
    }
    return this.outcome(await this.settled(operation, paymentToken, deadline));
  }

  /** Waits for a pending operation to finish, resuming it if its process's lease ran out. */
  private async settled(operation: OperationDocument, paymentToken: string | undefined, deadline: number): Promise<OperationDocument> {
    let current = operation;
    while (current.status === OperationStatus.PENDING) {
      if (current.lockedUntil.getTime() <= Date.now()) {
        const claimed = await this.ops.claim(current);
        if (claimed) return this.drive(claimed, paymentToken);
      }
      if (Date.now() > deadline) throw new Error(`operation ${current.id} is still in progress`);
      await sleep(this.deps.options.pollMs);
      current = await this.ops.reload(current);
    }
    return current;
  }

  private outcome(operation: OperationDocument): OperationDocument {
    if (operation.status === OperationStatus.FAILED) throw this.ops.failure(operation);
    return operation;
  }

  /**
   * Carries an operation to its end. A client error (a decline, a bad token) is its recorded
   * outcome. Anything else (a database error, the request's deadline passing, after which
   * this request may not even write) hands it to the recovery worker, which carries it on
   * outside this request at once, so a replay of the request answers its outcome; without a
   * worker the lease is released for a retry to resume it.
   */
  private async drive(operation: OperationDocument, paymentToken: string | undefined): Promise<OperationDocument> {
    try {
      const done = await this.deps.effects.carryOut(operation, paymentToken);
      return await this.ops.succeed(done, done.membershipId!);
    } catch (error) {
      if (error instanceof GraphQLError && isPublicError(error, billingCodes)) return this.ops.fail(operation, error);
      if (!this.deps.recovery?.adopt(operation, paymentToken)) await this.ops.release(operation).catch(() => undefined);
      throw error;
    }
  }
}
