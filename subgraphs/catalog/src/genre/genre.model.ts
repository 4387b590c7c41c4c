import { index, modelOptions, prop, type ReturnModelType } from '@typegoose/typegoose';
import { modelOn } from '@ott/kit';
import type { Connection } from 'mongoose';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import type { Sharding } from '@ott/kit';

/**
 * A genre. The slug is its natural key: imports upsert by slug, so the id a user stored as a
 * favourite stays valid across re-imports.
 */
@Directive('@key(fields: "id")')
@Directive('@cacheControl(maxAge: 300)')
@ObjectType({ description: 'A genre of films and shows.' })
@modelOptions({ schemaOptions: { collection: 'genres' } })
@index({ slug: 1 }, { unique: true })
export class Genre {
  static readonly sharding: Sharding = { unsharded: 'the catalogue: small, read-mostly, held in memory' };

  @Field(() => ID)
  readonly id: string;

  @Field(() => String, { description: 'Stable, URL-safe name, e.g. "thriller-suspense"; what browse filters by.' })
  @prop({ type: () => String, required: true })
  slug: string;

  @Field(() => String)
  @prop({ type: () => String, required: true })
  name: string;
}

export type GenreModel = ReturnModelType<typeof Genre>;

export const createGenreModel = (connection: Connection): GenreModel => modelOn(Genre, connection);
