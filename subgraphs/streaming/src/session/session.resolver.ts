import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireUser } from '@ott/kit';
import { Content } from '../content/content.stub';
import type { Context } from '../context';
import { Episode } from '../episode/episode.stub';
import { User } from '../user/user.stub';
import { StartPlaybackInput, UpdatePlaybackInput } from './session.inputs';
import { PlaybackSession, type SessionView } from './session.model';

@Resolver(() => PlaybackSession)
export class PlaybackSessionResolver {
  @Query(() => PlaybackSession, { nullable: true, description: 'A playback session, for its owner or an ADMIN; NOT_FOUND for anyone else.' })
  playbackSession(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<SessionView> {
    return ctx.playback.find(requireUser(ctx), id);
  }

  @Mutation(() => PlaybackSession, {
    description:
      'Starts playing a title: needs an ACTIVE membership (MEMBERSHIP_REQUIRED) and a free stream of the plan (STREAM_LIMIT_REACHED); resumes where the member left off.',
  })
  startPlayback(@Arg('input', () => StartPlaybackInput) input: StartPlaybackInput, @Ctx() ctx: Context): Promise<SessionView> {
    return ctx.playback.start(requireUser(ctx), input, {
      entitlements: () => ctx.entitlements.forCaller(requireUser(ctx).id, ctx.authorization!, ctx.requestId),
      title: (id) => ctx.loaders.title.load(id),
      freshTitle: (id) => ctx.titles.fresh(id, ctx.requestId),
    });
  }

  @Mutation(() => PlaybackSession, {
    description:
      'The player’s heartbeat (every 10 to 30 s): position and PLAYING / PAUSED. A session without one for the playback timeout (90 s by default) ends.',
  })
  updatePlayback(@Arg('input', () => UpdatePlaybackInput) input: UpdatePlaybackInput, @Ctx() ctx: Context): Promise<SessionView> {
    return ctx.playback.update(requireUser(ctx), input);
  }

  @Mutation(() => PlaybackSession, { description: 'Ends a session and frees its stream.' })
  stopPlayback(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: Context): Promise<SessionView> {
    return ctx.playback.stop(requireUser(ctx), sessionId);
  }

  @FieldResolver(() => User)
  user(@Root() session: SessionView): User {
    return { id: session.userId };
  }

  @FieldResolver(() => Content, { description: 'The film or show; catalog resolves its fields.' })
  content(@Root() session: SessionView): Content {
    return { id: session.contentId };
  }

  @FieldResolver(() => Episode, { nullable: true, description: 'The episode, for TV shows.' })
  episode(@Root() session: SessionView): Episode | null {
    return session.episodeId ? { id: session.episodeId } : null;
  }

  @FieldResolver(() => String, {
    description:
      'The HLS master playlist to play: a signed URL valid for an hour (by default) from this answer, and already expired once the session ended. Ask again for a fresh one.',
  })
  playbackUrl(@Root() session: SessionView, @Ctx() ctx: Context): string {
    return ctx.signer.urlFor(session);
  }
}
