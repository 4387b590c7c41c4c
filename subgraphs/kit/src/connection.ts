import { Directive, Field, ObjectType } from 'type-graphql';

/**
 * The Relay page info every connection of the graph shares. One class for every subgraph, so
 * the @shareable definitions cannot drift apart; it inherits its parent's cache hint, so a
 * cacheable connection stays cacheable.
 */
@Directive('@shareable')
@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to read the next page.' })
  endCursor: string | null;
}
