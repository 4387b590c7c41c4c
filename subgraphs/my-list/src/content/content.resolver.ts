import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { Content } from './content.stub';

@Resolver(() => Content)
export class ContentMyListResolver {
  @FieldResolver(() => Boolean, { nullable: true, description: 'Whether the signed-in user saved this title; false when signed out.' })
  inMyList(@Root() content: Content, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.loaders.inMyList.load(content.id);
  }
}
