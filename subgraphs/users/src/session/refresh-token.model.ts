import { index, modelOptions, prop, type ReturnModelType } from '@typegoose/typegoose';
import { modelOn } from '@ott/kit';
import type { Connection } from 'mongoose';
import type { Sharding } from '@ott/kit';

/**
 * One refresh token of a sign-in "family" (one device's session). Only its SHA-256 is stored;
 * each token is used once and replaced by the next of the same family.
 */
@modelOptions({ schemaOptions: { collection: 'refresh_tokens', timestamps: { createdAt: true, updatedAt: false } } })
@index({ tokenHash: 1 }, { unique: true })
@index({ familyId: 1 })
export class RefreshToken {
  /**
   * Ranged on tokenHash, not on the member: a refresh is answered from the token alone (the
   * member is not known until it is found), the unique index is on tokenHash, and a SHA-256 is
   * uniform, so a range spreads like a hash. Revoking a family (reuse, logout everywhere) asks
   * every shard; it is rare.
   */
  static readonly sharding: Sharding = { key: { tokenHash: 1 }, why: 'refreshed by token alone; unique and uniformly random' };

  @prop({ type: () => String, required: true })
  tokenHash: string;

  @prop({ type: () => String, required: true })
  userId: string;

  @prop({ type: () => String, required: true })
  familyId: string;

  @prop({ type: () => Date, required: true })
  expiresAt: Date;

  @prop({ type: () => Date, default: null })
  usedAt: Date | null;

  @prop({ type: () => Date, default: null })
  revokedAt: Date | null;
}

export type RefreshTokenModel = ReturnModelType<typeof RefreshToken>;

export const createRefreshTokenModel = (connection: Connection): RefreshTokenModel => modelOn(RefreshToken, connection);
