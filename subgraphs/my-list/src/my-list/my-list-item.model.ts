import { index, modelOptions, prop, type ReturnModelType } from '@typegoose/typegoose';
import { modelOn } from '@ott/kit';
import type { Connection } from 'mongoose';
import { Field, ID, ObjectType } from 'type-graphql';
import type { Sharding } from '@ott/kit';

/** What catalog said the title is when it was added; myListStats counts by it. */
export const ContentKind = { MOVIE: 'MOVIE', TV_SHOW: 'TV_SHOW' } as const;
export type ContentKind = (typeof ContentKind)[keyof typeof ContentKind];

/**
 * One saved title. Only a reference to the content is stored; catalog answers everything else
 * through federation. `content` is a field resolver over `contentId`.
 */
@ObjectType({ description: 'A title the signed-in user saved to watch later.' })
@modelOptions({ schemaOptions: { collection: 'items', versionKey: false } })
// The duplicate guard: a second insert of one (user, content) fails atomically, even when racing.
@index({ userId: 1, contentId: 1 }, { unique: true })
// Keyset paging, newest first.
@index({ userId: 1, addedAt: -1, _id: -1 })
// Finding the lists that hold a title catalog removed (rare, but a scan of every list without it).
@index({ contentId: 1 })
export class MyListItem {
  /**
   * Ranged on (userId, contentId), the unique index: MongoDB enforces a unique index on a
   * sharded collection only when it starts with the shard key, and only for a ranged key. Every
   * list read and write names the member, so each goes to one shard; a member's titles stay
   * together and a long list can still be split between titles. Removing a deleted title from
   * every list (by contentId) asks every shard; it runs once per removal, from an event.
   */
  static readonly sharding: Sharding = { key: { userId: 1, contentId: 1 }, why: 'unique (userId, contentId); every list read names the member' };

  @Field(() => ID)
  readonly id: string;

  @prop({ type: () => String, required: true })
  userId: string;

  @prop({ type: () => String, required: true })
  contentId: string;

  @prop({ type: () => String, required: true, enum: Object.values(ContentKind) })
  kind: ContentKind;

  @Field(() => Date, { description: 'When the title was added.' })
  @prop({ type: () => Date, required: true })
  addedAt: Date;
}

export type MyListItemModel = ReturnModelType<typeof MyListItem>;

/** An item as served and cached: plain values, no document. */
export type MyListEntry = Pick<MyListItem, 'id' | 'contentId' | 'kind' | 'addedAt'>;

export const createMyListItemModel = (connection: Connection): MyListItemModel => modelOn(MyListItem, connection);
