import { Directive, Field, Int, ObjectType, type ClassType } from 'type-graphql';

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

export interface ConnectionOptions {
  /** The connection type's description. */
  description?: string;
  /** What `totalCount` counts, as its description. */
  totalCount?: string;
  /** For cacheable lists: the connection and its edges inherit their parent field's cache hint. */
  inheritCacheHint?: boolean;
}

/**
 * `<name>Connection` and `<name>Edge` over a node type: the Relay connection every list of the
 * graph answers (`keysetPage` fills it). Declared as a value and a type of one name:
 *
 *   export const RatingConnection = connectionType('Rating', () => Rating);
 *   export type RatingConnection = Page<RatingDocument>;
 */
export function connectionType(name: string, node: () => ClassType, options: ConnectionOptions = {}): ClassType {
  const inherit = options.inheritCacheHint ? [Directive('@cacheControl(inheritMaxAge: true)')] : [];

  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String)
    cursor: string;

    @Field(node)
    node: unknown;
  }

  @ObjectType(`${name}Connection`, { description: options.description })
  class Connection {
    @Field(() => [Edge])
    edges: Edge[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    @Field(() => Int, { description: options.totalCount })
    totalCount: number;
  }

  for (const decorate of inherit) {
    decorate(Edge);
    decorate(Connection);
  }
  return Connection;
}
