import { index, modelOptions, prop, type ReturnModelType } from '@typegoose/typegoose';
import { modelOn } from '@ott/kit';
import type { Connection } from 'mongoose';

/**
 * One refresh token of a sign-in "family" (one device's session). Only its SHA-256 is stored;
 * each token is used once and replaced by the next of the same family.
 */
@modelOptions({ schemaOptions: { collection: 'refresh_tokens', timestamps: { createdAt: true, updatedAt: false } } })
@index({ tokenHash: 1 }, { unique: true })
@index({ familyId: 1 })
export class RefreshToken {
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

export const createRefreshTokenModel = (connection: Connection): RefreshTokenModel =>
  modelOn(RefreshToken, connection);
