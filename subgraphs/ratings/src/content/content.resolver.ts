import { Args, Ctx, FieldResolver, Float, Int, Resolver, Root } from 'type-graphql';
import { PagedByFirst } from '@ott/kit';
import type { Context } from '../context';
import { RatingPageArgs } from '../rating/rating.args';
import { RatingConnection } from '../rating/rating.connection';
import { Rating, type RatingDocument } from '../rating/rating.model';
import type { RatingPage } from '../rating/rating.service';
import { averageOf } from '../summary/summary.model';
import { Content, type ContentRef } from './content.stub';

@Resolver(() => Content)
export class ContentRatingsResolver {
  @FieldResolver(() => Float, { nullable: true, description: 'Members’ average score, 1 decimal; null until someone rates it.' })
  async averageRating(@Root() content: ContentRef, @Ctx() ctx: Context): Promise<number | null> {
    return averageOf(await ctx.loaders.summaryByContentId.load(content.id));
  }

  @FieldResolver(() => Int, { nullable: true, description: 'How many members rated it.' })
  async ratingsCount(@Root() content: ContentRef, @Ctx() ctx: Context): Promise<number> {
    return (await ctx.loaders.summaryByContentId.load(content.id))?.count ?? 0;
  }

  @FieldResolver(() => Rating, { nullable: true, description: 'The signed-in member’s rating; null when signed out or not rated.' })
  myRating(@Root() content: ContentRef, @Ctx() ctx: Context): Promise<RatingDocument | null> {
    return ctx.loaders.myRatingByContentId.load(content.id);
  }

  @PagedByFirst()
  @FieldResolver(() => RatingConnection, { description: 'Members’ ratings and reviews of the title, newest first. Public.' })
  ratings(@Root() content: ContentRef, @Args(() => RatingPageArgs) { first, after }: RatingPageArgs, @Ctx() ctx: Context): Promise<RatingPage> {
    return ctx.ratings.pageOfContent(content.id, first, after);
  }
}
