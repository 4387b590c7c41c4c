import { index, modelOptions, prop, type ReturnModelType } from '@typegoose/typegoose';
import type { Connection } from 'mongoose';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { modelOn, type RoleName, Roles } from '@ott/kit';
import type { Sharding } from '@ott/kit';

export const Role = { USER: 'USER', ADMIN: 'ADMIN' } as const satisfies Record<RoleName, RoleName>;
registerEnumType(Role, { name: 'Role', description: 'What an account may do: ADMIN also manages the catalogue and every account.' });

/** A member account. The document and the GraphQL type are one class; the hash has no @Field. */
@Directive('@key(fields: "id")')
@ObjectType({ description: 'A member of the service.' })
@modelOptions({ schemaOptions: { collection: 'users', timestamps: true } })
@index({ email: 1 }, { unique: true })
// The stamps still in force, announced again to a Redis that lost them (session/token-revocation.ts).
@index({ tokensValidAfter: 1 })
export class User {
  /**
   * Unsharded: the unique email index would have to start the shard key, and then every lookup by
   * id (each `_entities`, each token refresh) would ask every shard. One small document per member:
   * ten million members are a few gigabytes, which one replica set holds.
   */
  static readonly sharding: Sharding = { unsharded: 'unique email; looked up by id and by email alike; one small document per member' };

  @Field(() => ID)
  readonly id: string;

  @Field(() => String, { description: 'Visible to the user themself and to ADMIN only.' })
  @prop({ type: () => String, required: true, trim: true, lowercase: true })
  email: string;

  // Never a @Field: the hash stays inside this subgraph.
  @prop({ type: () => String, required: true })
  passwordHash: string;

  @Field(() => String)
  @prop({ type: () => String, required: true, trim: true })
  displayName: string;

  @Field(() => Role)
  @prop({ type: () => String, required: true, enum: Roles, default: Role.USER })
  role: RoleName;

  @prop({ type: () => [String], default: [] })
  favoriteGenreIds: string[];

  /** Access tokens issued before it are refused (logout, role change): session/token-revocation.ts. */
  @prop({ type: () => Date })
  tokensValidAfter?: Date;

  @Field(() => Date)
  readonly createdAt: Date;

  readonly updatedAt: Date;
}

export type UserModel = ReturnModelType<typeof User>;

export const createUserModel = (connection: Connection): UserModel => modelOn(User, connection);
