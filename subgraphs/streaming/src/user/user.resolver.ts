import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { AssumedSize, PagedByFirst, SlicedByFirst, type Page } from '@ott/kit';
import type { Context } from '../context';
import { WatchProgressConnection } from '../progress/progress.connection';
import { WatchProgress, type WatchProgressEntry } from '../progress/progress.model';
import { PlaybackSession, type SessionView } from '../session/session.model';
import { User } from './user.stub';

/** The member's own viewing; the owner rule (or ADMIN) guards every field. */
@Resolver(() => User)
export class UserStreamingResolver {
  @SlicedByFirst()
  @FieldResolver(() => [WatchProgress], { nullable: true, description: 'Unfinished titles, most recent first, one per title (a show at its latest episode).' })
  async continueWatching(
    @Root() user: User,
    @Arg('first', () => Int, { nullable: true, defaultValue: 10, description: '1 to 100.' }) first: number,
    @Ctx() ctx: Context,
  ): Promise<WatchProgressEntry[]> {
    const live = await ctx.playback.livePositions(user.id);
    return ctx.progress.continueWatching(user.id, first, live, (ids) => ctx.titles.available(ids, ctx.requestId));
  }

  @PagedByFirst()
  @FieldResolver(() => WatchProgressConnection, { nullable: true, description: 'Everything watched, finished or not, most recent first.' })
  // Declared last-first: type-graphql prints arguments in reverse, and the contract reads (first, after).
  async watchHistory(
    @Root() user: User,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: '1 to 100.' }) first: number,
    @Ctx() ctx: Context,
  ): Promise<Page<WatchProgressEntry>> {
    return ctx.progress.history(user.id, first, after, await ctx.playback.livePositions(user.id));
  }

  @AssumedSize(4)
  @FieldResolver(() => [PlaybackSession], {
    nullable: true,
    description: 'Sessions playing or paused now, each holding one of the plan’s streams; newest first.',
  })
  activeSessions(@Root() user: User, @Ctx() ctx: Context): Promise<SessionView[]> {
    return ctx.playback.activeOf(user.id);
  }
}
