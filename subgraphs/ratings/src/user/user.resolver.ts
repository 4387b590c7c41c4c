import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { PagedByFirst } from '@ott/kit';
import type { Context } from '../context';
import { RatingPageArgs } from '../rating/rating.args';
import { RatingConnection } from '../rating/rating.connection';
import type { RatingPage } from '../rating/rating.service';
import { User, type UserRef } from './user.stub';

@Resolver(() => User)
export class UserRatingsResolver {
  @PagedByFirst()
  @FieldResolver(() => RatingConnection, { nullable: true, description: 'The member’s ratings, newest first. Public, like the reviews themselves.' })
  ratings(@Root() user: UserRef, @Args(() => RatingPageArgs) { first, after }: RatingPageArgs, @Ctx() ctx: Context): Promise<RatingPage> {
    return ctx.ratings.pageOfUser(user.id, first, after);
  }
}
