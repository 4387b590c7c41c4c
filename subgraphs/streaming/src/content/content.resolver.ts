import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { Cost, pageSize, SlicedByFirst } from '@ott/kit';
import type { Context } from '../context';
import { Content } from './content.stub';

/** Trending asks Redis for this many more than requested, to fill the places of removed titles. */
const TRENDING_SPARE = 10;

@Resolver(() => Content)
export class ContentPlaysResolver {
  @FieldResolver(() => Int, { nullable: true, description: 'How many times the title was started, ever.' })
  playCount(@Root() content: Content, @Ctx() ctx: Context): Promise<number> {
    return ctx.loaders.playCount.load(content.id);
  }

  // A ranking of the week's plays.
  @Cost(2)
  @SlicedByFirst()
  @Query(() => [Content], { description: 'The titles started most often in the last 7 days, most first (1 to 100).' })
  async trending(@Arg('first', () => Int, { nullable: true, defaultValue: 10 }) first: number, @Ctx() ctx: Context): Promise<Content[]> {
    const size = pageSize(first, 10);
    const ids = await ctx.plays.trending(size + TRENDING_SPARE);
    const available = await ctx.titles.available(ids, ctx.requestId);
    return ids
      .filter((id) => available.has(id))
      .slice(0, size)
      .map((id) => ({ id }));
  }
}
