import { index, modelOptions, prop, type ReturnModelType } from '@typegoose/typegoose';
import { discriminatorOn, modelOn } from '@ott/kit';
import type { Connection, Types } from 'mongoose';
import { Directive, Field, ID, Int, InterfaceType, ObjectType, registerEnumType } from 'type-graphql';
import type { Sharding } from '@ott/kit';

export const ContentKind = { MOVIE: 'MOVIE', TV_SHOW: 'TV_SHOW' } as const;
export type ContentKind = (typeof ContentKind)[keyof typeof ContentKind];
registerEnumType(ContentKind, { name: 'ContentKind', description: 'Whether a title is a film or a series.' });

/** Stored in place of a missing sort value, below every real one, so keyset pages have no gaps. */
export const MISSING_SORT_VALUE = -1;

/**
 * Movies and shows live in one `contents` collection, told apart by `kind`, so browsing,
 * search and keyset paging across both kinds is one indexed query.
 *
 * `popularity` and `rating` are catalog-held sort keys, not the public rating: the import
 * seeds them from IMDB votes and rating; later, the ratings subgraph's averages are applied
 * to `rating` (ContentService.applyRatingSummaries). `popularity` keeps its imported value:
 * streaming's play counts are its own (Content.playCount, Query.trending).
 * `releaseYearKey` and `ratingKey` repeat their field with MISSING_SORT_VALUE for null.
 *
 * A removed title is a tombstone (`deletedAt` set), not a deleted document: references held by
 * other subgraphs (lists, ratings, history) keep resolving, while every browsing read filters
 * on `deletedAt: null`, which also matches documents stored before the field existed.
 */
@Directive('@key(fields: "id")')
@Directive('@cacheControl(maxAge: 120)')
@InterfaceType('Content', {
  description: 'A film or a series in the catalogue.',
  resolveType: (value: { kind?: string }) => (value.kind === ContentKind.TV_SHOW ? 'TvShow' : 'Movie'),
})
@modelOptions({ schemaOptions: { collection: 'contents', discriminatorKey: 'kind', timestamps: true } })
@index({ externalId: 1 }, { unique: true })
@index({ titleNormalized: 1, _id: 1 })
@index({ releaseYearKey: -1, _id: 1 })
@index({ popularity: -1, _id: 1 })
@index({ ratingKey: -1, _id: 1 })
@index({ genreIds: 1, ratingKey: -1 })
@index({ featured: 1, popularity: -1 })
export class Content {
  /** The catalogue stays unsharded: small (thousands of titles), read-mostly, held in memory by every catalog process. */
  static readonly sharding: Sharding = { unsharded: 'the catalogue: small, read-mostly, held in memory' };

  @Field(() => ID)
  readonly id: string;

  /** The discriminator, set by the kind's model. */
  readonly kind: ContentKind;

  /** Where the record came from ("vega:…", "tv:…", "admin:…"); imports upsert by it. */
  @prop({ type: () => String, required: true })
  externalId: string;

  @Field(() => String)
  @prop({ type: () => String, required: true, trim: true })
  title: string;

  @prop({ type: () => String, required: true })
  titleNormalized: string;

  @Field(() => String, { nullable: true })
  @prop({ type: () => String, default: null })
  synopsis?: string | null;

  @prop({ type: () => [String], default: [] })
  genreIds: string[];

  @Field(() => Int, { nullable: true })
  @prop({ type: () => Number, default: null })
  releaseYear?: number | null;

  @prop({ type: () => Number, required: true })
  releaseYearKey: number;

  @Field(() => String, { nullable: true, description: 'e.g. "PG-13" or "TV-MA".' })
  @prop({ type: () => String, default: null })
  maturityRating?: string | null;

  @Field(() => String, { nullable: true })
  @prop({ type: () => String, default: null })
  posterUrl?: string | null;

  @Field(() => Boolean)
  @prop({ type: () => Boolean, default: false })
  featured: boolean;

  @prop({ type: () => Number, default: 0 })
  popularity: number;

  /** 0..10, or null while unrated. */
  @prop({ type: () => Number, default: null })
  rating?: number | null;

  @prop({ type: () => Number, default: 0 })
  ratingCount: number;

  /** The ratings subgraph's version of `rating` and `ratingCount` (null until it sent one). */
  @prop({ type: () => Number, default: null })
  ratingVersion?: number | null;

  @prop({ type: () => Number, required: true })
  ratingKey: number;

  /** When an ADMIN removed the title; null while it is in the catalogue. */
  @prop({ type: () => Date, default: null })
  deletedAt?: Date | null;

  /** Set once the removal reached the content-deleted stream; until then start-up announces it again. */
  @prop({ type: () => Boolean })
  deletionAnnounced?: boolean;
}

/** Matches the titles still in the catalogue (documents without the field included). */
export const IN_CATALOGUE = { deletedAt: null } as const;

/** Records come fresh or from Redis (where the date is a string): both are null while available. */
export const isAvailable = (record: Pick<ContentRecord, 'deletedAt'>) => record.deletedAt == null;

@Directive('@key(fields: "id")')
@Directive('@cacheControl(maxAge: 120)')
@ObjectType({ implements: Content, description: 'A feature film.' })
export class Movie extends Content {
  @Field(() => Int, { nullable: true })
  @prop({ type: () => Number, default: null })
  runtimeMinutes?: number | null;

  @Field(() => String, { nullable: true })
  @prop({ type: () => String, default: null })
  director?: string | null;

  @Field(() => [String])
  @prop({ type: () => [String], default: [] })
  cast: string[];
}

@Directive('@key(fields: "id")')
@Directive('@cacheControl(maxAge: 120)')
@ObjectType({ implements: Content, description: 'A series; its episodes are grouped by season.' })
export class TvShow extends Content {}

/** What resolvers receive: a stored document as plain JSON-safe data, fresh or from Redis. */
export type ContentRecord = Omit<Content, 'id'> & { id: string } & Partial<Pick<Movie, 'runtimeMinutes' | 'director' | 'cast'>>;

type LeanContent = Omit<ContentRecord, 'id'> & { _id: Types.ObjectId | string; __v?: number; createdAt?: Date; updatedAt?: Date };

export function toContentRecord(doc: LeanContent): ContentRecord {
  const { _id, __v: _v, createdAt: _c, updatedAt: _u, ...fields } = doc;
  return { ...fields, id: String(_id) };
}

/** The sort keys derived from nullable fields; every write of those fields sets them too. */
export function sortKeys(values: { releaseYear?: number | null; rating?: number | null }) {
  return {
    releaseYearKey: values.releaseYear ?? MISSING_SORT_VALUE,
    ratingKey: values.rating ?? MISSING_SORT_VALUE,
  };
}

export function createContentModels(connection: Connection) {
  const contents = modelOn(Content, connection);
  return {
    contents,
    movies: discriminatorOn(contents, Movie, ContentKind.MOVIE),
    tvShows: discriminatorOn(contents, TvShow, ContentKind.TV_SHOW),
  };
}

export type ContentModel = ReturnModelType<typeof Content>;
export type ContentModels = ReturnType<typeof createContentModels>;
