import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * Catalog's `Content` interface seen from here as one object type (`@interfaceObject`), so
 * `playCount` reaches every Movie and TvShow; sessions and trending hand out `{ id }` references.
 */
@Directive('@interfaceObject')
@Directive('@key(fields: "id")')
@ObjectType('Content')
export class Content {
  @Field(() => ID)
  id: string;
}
