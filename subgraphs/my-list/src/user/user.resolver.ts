import { Arg, Ctx, Directive, FieldResolver, Int, Query, Resolver } from 'type-graphql';
import { PagedByFirst, requireUser } from '@ott/kit';
import type { Context } from '../context';
import { MyListConnection } from '../my-list/my-list.connection';
import { MyListStats } from '../my-list/my-list-stats.type';
import { User } from './user.stub';

/**
 * The list fields answer for the caller only: the permission rule refuses any other user's id,
 * and the caller's id, not the parent's, selects the list.
 */
@Resolver(() => User)
export class UserMyListResolver {
  /**
   * The same `me` as users' (both @shareable): the caller's id comes from the verified token,
   * so the gateway can answer the home screen's `me { myList }` here, skipping a hop to users.
   * Users never deletes accounts; if it ever does, this must learn of it too.
   */
  @Directive('@shareable')
  @Query(() => User, { nullable: true, description: 'The signed-in user; null when signed out.' })
  me(@Ctx() ctx: Context): User | null {
    return ctx.user ? { id: ctx.user.id } : null;
  }

  @PagedByFirst()
  @FieldResolver(() => MyListConnection, { nullable: true, description: 'Titles the user saved, newest first. The user themself only.' })
  // Declared last-first: type-graphql prints arguments in reverse, and the contract reads (first, after).
  myList(
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: '1 to 100.' }) first: number,
    @Ctx() ctx: Context,
  ): Promise<MyListConnection> {
    return ctx.myList.page(requireUser(ctx).id, first, after);
  }

  @FieldResolver(() => MyListStats, { nullable: true, description: 'Counts of the saved titles. The user themself only.' })
  myListStats(@Ctx() ctx: Context): Promise<MyListStats> {
    return ctx.myList.stats(requireUser(ctx).id);
  }
}
