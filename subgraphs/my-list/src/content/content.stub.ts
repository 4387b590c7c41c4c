import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * Catalog's Content interface, seen from my-list: only the key, plus the field my-list adds to
 * every Movie and TvShow (@interfaceObject), without knowing the concrete types.
 */
@Directive('@interfaceObject')
@Directive('@key(fields: "id")')
@ObjectType('Content')
export class Content {
  @Field(() => ID)
  id: string;
}
