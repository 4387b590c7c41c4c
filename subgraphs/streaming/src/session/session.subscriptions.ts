import { GraphQLError } from 'graphql';
import { Arg, Ctx, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { PlaybackChannels, PlaybackEvent } from '@ott/events';
import { ChannelEventStream, requireUser } from '@ott/kit';
import type { Context } from '../context';
import { PlaybackSession, type SessionView } from './session.model';

const unavailable = () => new GraphQLError('Live updates are unavailable right now: try again shortly.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });

/** A channel's stream, once Redis confirmed it: nothing published after this resolves is missed. */
async function streamOf(ctx: Context, channel: (channels: PlaybackChannels) => string, last?: (event: PlaybackEvent) => boolean) {
  const feed = ctx.playbackFeed;
  if (!feed) throw unavailable();
  const stream = new ChannelEventStream(feed, channel(feed.channels), last);
  try {
    await stream.ready();
  } catch (err) {
    ctx.logger.warn({ err: { message: (err as Error).message } }, 'playback events unavailable: subscription refused');
    throw unavailable();
  }
  return stream;
}

type Subscribe = SubscribeResolverData<unknown, { sessionId?: string }, Context>;

/**
 * The Subscription type, declared here since streaming owns playback, so it is composed into
 * the supergraph. Each event streaming publishes (kit playback-events) is answered by reading
 * the session as it is then, for the subscriber. The gateway serves these fields itself over
 * its Redis fan-out (gateway/src/subscriptions); a router that passes subscriptions through
 * to this subgraph is served by these resolvers, over the same channels.
 */
@Resolver(() => PlaybackSession)
export class PlaybackSubscriptionResolver {
  @Subscription(() => PlaybackSession, {
    description:
      'Every change of one playback session (start, heartbeat, pause, end), as its owner (or an ADMIN) would read it.\nAnyone else gets NOT_FOUND and no events.',
    subscribe: async ({ args, context }: Subscribe) => {
      const user = requireUser(context);
      const sessionId = String(args.sessionId);
      // Listening before the access check, so nothing published meanwhile is missed.
      const stream = await streamOf(
        context,
        (channels) => channels.session(sessionId),
        (event) => event.kind === 'ENDED',
      );
      try {
        await context.playback.find(user, sessionId);
      } catch (error) {
        await stream.return();
        throw error;
      }
      return stream;
    },
  })
  playbackSessionUpdated(@Root() event: PlaybackEvent, @Arg('sessionId', () => ID) _sessionId: string, @Ctx() ctx: Context): Promise<SessionView> {
    return ctx.playback.find(requireUser(ctx), event.sessionId);
  }

  @Subscription(() => PlaybackSession, {
    description: 'Every change to any playback session of the signed-in member: starts, heartbeats, pauses, stops and expiries.',
    subscribe: ({ context }: Subscribe) => streamOf(context, (channels) => channels.user(requireUser(context).id)),
  })
  myPlaybackSessions(@Root() event: PlaybackEvent, @Ctx() ctx: Context): Promise<SessionView> {
    return ctx.playback.find(requireUser(ctx), event.sessionId);
  }
}
