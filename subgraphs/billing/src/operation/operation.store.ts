import { GraphQLError } from 'graphql';
import { appError, isDuplicateKeyError } from '@ott/kit';
import type { ErrorCode } from '../errors';
import { OperationStatus, type Operation, type OperationDocument, type OperationModel } from './operation.model';

/** What a new operation is about; the store adds status, slot and lease. */
export type OperationDraft = Pick<
  Operation,
  'key' | 'kind' | 'fingerprint' | 'membershipRevision' | 'planCode' | 'currency' | 'lines' | 'amountCents' | 'creditUsedCents'
> &
  Partial<Pick<Operation, 'periodStart' | 'periodEnd' | 'paymentMethodId' | 'membershipId'>>;

type Progress = Partial<Pick<Operation, 'paymentMethodId' | 'chargeId' | 'declined' | 'invoiceId' | 'refundId'>>;

export const slotOf = (userId: string, revision: number) => `${userId}:${revision}`;

export class OperationStore {
  constructor(
    private readonly operations: OperationModel,
    private readonly leaseMs: number,
  ) {}

  /** The insert is the lock: null when the key or the membership's slot is already taken. */
  async tryStart(userId: string, draft: OperationDraft): Promise<OperationDocument | null> {
    try {
      return await this.operations.create({
        ...draft,
        userId,
        slot: slotOf(userId, draft.membershipRevision),
        status: OperationStatus.PENDING,
        lockedUntil: new Date(Date.now() + this.leaseMs),
      });
    } catch (error) {
      if (isDuplicateKeyError(error)) return null;
      throw error;
    }
  }

  findByKey(userId: string, key: string): Promise<OperationDocument | null> {
    return this.operations.findOne({ userId, key }).exec();
  }

  findBySlot(slot: string): Promise<OperationDocument | null> {
    return this.operations.findOne({ slot }).exec();
  }

  reload(operation: OperationDocument): Promise<OperationDocument> {
    return this.operations.findById(operation._id).orFail().exec();
  }

  /**
   * Takes over a pending operation whose lease ran out (its process died or gave up). The
   * update matches only the generation and the expired lease the caller read, and moves the
   * generation on, so of all processes that read them exactly one gets the operation; the
   * others get null. That needs single-document atomicity: MongoDB has it, and the embedded
   * FerretDB has it through its write serializer (tools/embedded-mongo/serialize.go). On
   * FerretDB without the serializer several would win, hence the claim inserts this replaced.
   */
  claim(operation: OperationDocument): Promise<OperationDocument | null> {
    const now = Date.now();
    return this.operations
      .findOneAndUpdate(
        { _id: operation._id, status: OperationStatus.PENDING, generation: operation.generation, lockedUntil: { $lte: new Date(now) } },
        { $set: { generation: operation.generation + 1, lockedUntil: new Date(now + this.leaseMs) } },
        { returnDocument: 'after' },
      )
      .exec();
  }

  /**
   * Takes back an operation this process held and gave up on (its request failed or timed
   * out), whatever its lease says: matching the generation it held is enough, as only a
   * takeover moves that on. The recovery worker carries it on from there.
   */
  takeBack(operation: OperationDocument): Promise<OperationDocument | null> {
    return this.operations
      .findOneAndUpdate(
        { _id: operation._id, status: OperationStatus.PENDING, generation: operation.generation },
        { $set: { generation: operation.generation + 1, lockedUntil: new Date(Date.now() + this.leaseMs) } },
        { returnDocument: 'after' },
      )
      .exec();
  }

  /** Pending operations whose lease ran out: their process died, gave up, or could not say so. */
  findAbandoned(limit: number): Promise<OperationDocument[]> {
    return this.operations
      .find({ status: OperationStatus.PENDING, lockedUntil: { $lte: new Date() } })
      .limit(limit)
      .exec();
  }

  /** Counts a failed recovery attempt and leaves the operation alone until `retryAt`; null if another process holds it now. */
  noteFailedAttempt(operation: OperationDocument, error: string, retryAt: Date): Promise<OperationDocument | null> {
    return this.operations
      .findOneAndUpdate(
        { _id: operation._id, status: OperationStatus.PENDING, generation: operation.generation },
        { $inc: { recoveryAttempts: 1 }, $set: { recoveryError: error, lockedUntil: retryAt } },
        { returnDocument: 'after' },
      )
      .exec();
  }

  /** Records a finished step, so a resumed operation skips it; a holder that lost its lease stops here. */
  async record(operation: OperationDocument, progress: Progress): Promise<OperationDocument> {
    const updated = await this.operations
      .findOneAndUpdate(
        { _id: operation._id, status: OperationStatus.PENDING, generation: operation.generation },
        { $set: progress },
        { returnDocument: 'after' },
      )
      .exec();
    if (!updated) throw new Error(`operation ${operation.id} was settled by another process`);
    return updated;
  }

  succeed(operation: OperationDocument, membershipId: string): Promise<OperationDocument> {
    return this.settle(operation, { status: OperationStatus.SUCCEEDED, membershipId });
  }

  /**
   * A failed operation changed nothing (or was compensated), so it frees the membership's slot
   * for the next request. `releaseKey` frees its key too: one derived from the membership's
   * state (a renewal's period, a plan change), which the next attempt at the same change needs.
   */
  fail(operation: OperationDocument, error: GraphQLError, { releaseKey = false } = {}): Promise<OperationDocument> {
    return this.settle(operation, {
      status: OperationStatus.FAILED,
      slot: `released:${operation.id}`,
      ...(releaseKey ? { key: `released:${operation.id}:${operation.key}` } : {}),
      errorCode: String(error.extensions.code),
      errorMessage: error.message,
    });
  }

  /** Lets a waiting duplicate resume at once after this process hit an unexpected error. */
  async release(operation: OperationDocument): Promise<void> {
    await this.operations
      .updateOne({ _id: operation._id, status: OperationStatus.PENDING, generation: operation.generation }, { $set: { lockedUntil: new Date(0) } })
      .exec();
  }

  /** The recorded failure, raised again for every replay of the same request. */
  failure(operation: OperationDocument): GraphQLError {
    return appError(operation.errorCode as ErrorCode, operation.errorMessage ?? 'The request failed.');
  }

  private async settle(operation: OperationDocument, changes: Partial<Operation>): Promise<OperationDocument> {
    const settled = await this.operations
      .findOneAndUpdate(
        { _id: operation._id, status: OperationStatus.PENDING, generation: operation.generation },
        { $set: changes },
        { returnDocument: 'after' },
      )
      .exec();
    return settled ?? this.reload(operation);
  }
}
