import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * Catalog's `Content` interface, seen from here as one object type (`@interfaceObject`): the
 * rating fields below reach every Movie and TvShow without this subgraph knowing the kinds.
 */
@Directive('@key(fields: "id")')
@Directive('@interfaceObject')
@ObjectType('Content')
export class Content {
  @Field(() => ID)
  id: string;
}

/** What a Content resolves from here: just its key. */
export interface ContentRef {
  id: string;
}
