import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { requireUser } from '@ott/kit';
import type { Context } from '../context';
import { Content, type ContentRef } from '../content/content.stub';
import { User, type UserRef } from '../user/user.stub';
import { RateContentArgs } from './rating.args';
import { Rating, type RatingDocument } from './rating.model';

@Resolver(() => Rating)
export class RatingResolver {
  @FieldResolver(() => User, { description: 'The author; users resolves the public profile (never the email of someone else).' })
  // Roots are typed as the document: type-graphql would copy a class-typed root and lose its getters.
  user(@Root() rating: RatingDocument): UserRef {
    return { id: rating.userId };
  }

  @FieldResolver(() => Content, { description: 'The rated title.' })
  content(@Root() rating: RatingDocument): ContentRef {
    return { id: rating.contentId };
  }

  @Mutation(() => Rating, {
    description: 'Rates a title for the signed-in member: creates their rating or replaces its score and review (one per member and title).',
  })
  rateContent(@Args(() => RateContentArgs) args: RateContentArgs, @Ctx() ctx: Context): Promise<RatingDocument> {
    return ctx.ratings.rate(requireUser(ctx).id, args, ctx.loaders.contentById);
  }

  @Mutation(() => Boolean, { description: 'Removes the signed-in member’s rating of a title: true if there was one, false if not.' })
  deleteRating(@Arg('contentId', () => ID) contentId: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.ratings.delete(requireUser(ctx).id, contentId);
  }
}
