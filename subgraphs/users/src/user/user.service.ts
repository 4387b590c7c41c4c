import { hash } from '@node-rs/argon2';
import {
  addressBucket,
  appError,
  badInput,
  isDuplicateKeyError,
  notFound,
  rateLimited,
  type EntityClient,
  type Logger,
  type RateLimiter,
  type RoleName,
} from '@ott/kit';
import { isValidObjectId } from 'mongoose';
import { ErrorCode } from '../errors';
import type { TokenRevocation } from '../session/token-revocation';
import { Role, type User, type UserModel } from './user.model';
import type { RegisterInput, UpdateProfileInput } from './user.inputs';
import { normalizeDisplayName, normalizeEmail, normalizeGenreIds, validatePassword } from './user.validation';

export type UserDocument = InstanceType<UserModel>;

export class UserService {
  constructor(
    private readonly users: UserModel,
    /** Catalog owns genres: ids are checked with it before they are stored. */
    private readonly genres: EntityClient,
    /** Sign-ups per client address; every attempt counts, EMAIL_TAKEN too (it tells who has an account). */
    private readonly registrations: RateLimiter,
    private readonly logger: Logger,
    /** A role change ends the tokens that carry the old role. */
    private readonly revocation: TokenRevocation,
  ) {}

  /** Uniqueness is the index's job: the insert fails atomically, even for racing requests. */
  async register(input: RegisterInput, clientIp: string): Promise<UserDocument> {
    const wait = await this.registrations.consume(addressBucket(clientIp));
    if (wait !== undefined) throw rateLimited('Too many sign-ups from your network', wait);
    const email = normalizeEmail(input.email);
    const password = validatePassword(input.password);
    const displayName = normalizeDisplayName(input.displayName);
    const passwordHash = await hash(password);
    try {
      return await this.users.create({ email, passwordHash, displayName, role: Role.USER });
    } catch (error) {
      if (isDuplicateKeyError(error)) {
        throw appError(ErrorCode.EMAIL_TAKEN, 'An account with this email already exists: sign in instead.');
      }
      throw error;
    }
  }

  async findByIds(ids: readonly string[]): Promise<UserDocument[]> {
    const valid = ids.filter((id) => isValidObjectId(id));
    return valid.length === 0 ? [] : this.users.find({ _id: { $in: valid } }).exec();
  }

  async findById(id: string): Promise<UserDocument | null> {
    return isValidObjectId(id) ? this.users.findById(id).exec() : null;
  }

  async findByEmail(email: string): Promise<UserDocument | null> {
    return this.users.findOne({ email }).exec();
  }

  async updateProfile(userId: string, input: UpdateProfileInput, requestId: string): Promise<UserDocument> {
    const changes: Partial<Pick<User, 'displayName' | 'favoriteGenreIds'>> = {};
    if (input.displayName != null) changes.displayName = normalizeDisplayName(input.displayName);
    if (input.favoriteGenreIds != null) changes.favoriteGenreIds = await this.knownGenres(normalizeGenreIds(input.favoriteGenreIds), requestId);
    const user = await this.users.findByIdAndUpdate(userId, { $set: changes }, { returnDocument: 'after' }).exec();
    if (!user) throw notFound('user', userId);
    return user;
  }

  /** An unknown id would later resolve to null inside a non-null list, so it is refused here. */
  private async knownGenres(ids: string[], requestId: string): Promise<string[]> {
    if (ids.length === 0) return ids;
    const found = await this.genres.lookup(ids, requestId);
    const unknown = ids.filter((id) => !found.has(id));
    if (unknown.length > 0) throw badInput('favoriteGenreIds', `holds unknown genre ids: ${unknown.join(', ')}.`);
    return ids;
  }

  /**
   * Creates the configured administrator on start, or promotes the existing account.
   * An existing account keeps its password: configuration never silently resets one.
   */
  async ensureAdmin(rawEmail: string, password: string): Promise<void> {
    const email = normalizeEmail(rawEmail);
    validatePassword(password);
    try {
      await this.users.create({ email, passwordHash: await hash(password), displayName: 'Administrator', role: Role.ADMIN });
      this.logger.info({ userEmail: email }, 'created the administrator account');
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const existing = await this.findByEmail(email);
      if (existing) await this.changeRole(existing.id, Role.ADMIN);
    }
  }

  /**
   * Gives a member another role. Their access tokens name the old one, so those issued before
   * the change are refused from now on (the member refreshes, or signs in, and gets the new one).
   */
  async changeRole(userId: string, role: RoleName): Promise<void> {
    const changed = await this.users.updateOne({ _id: userId, role: { $ne: role } }, { $set: { role } }).exec();
    if (changed.modifiedCount === 0) return;
    await this.revocation.revokeTokensOf(userId, 'role change');
    this.logger.info({ userId, role }, 'role changed');
  }
}
