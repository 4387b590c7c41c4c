import { appError, badInput, isDuplicateKeyError, type AuthUser } from '@ott/kit';
import { Types } from 'mongoose';
import type { Title, TitleEpisode } from '../content/catalog-titles';
import type { Entitlements } from '../entitlements/billing-entitlements';
import { ErrorCode } from '../errors';
import type { LiveSession, LiveSessionModel } from '../live/live-session.model';
import type { PlayCounts } from '../plays/play-counts';
import type { ProgressService } from '../progress/progress.service';
import { recordProgress, type SessionEnding } from './session.ending';
import { cappedQuality, PlaybackState } from './session.enums';
import type { PlaybackEvents } from './session.events';
import type { SessionFactsCache } from './session.facts';
import type { StartPlaybackInput } from './session.inputs';
import type { PlaybackSessionModel, SessionView } from './session.model';
import { maxPositionFor, validateDevice, validateReference } from './session.validation';
import { recordOf, streamLimit, viewOfLive } from './session.views';

type Live = LiveSession;

/** What a start needs from billing and catalog, asked through the caller's loaders. */
export interface StartLookups {
  entitlements: () => Promise<Entitlements>;
  title: (contentId: string) => Promise<Title | null>;
  /** Past the cache: for an episode added after the show was cached. */
  freshTitle: (contentId: string) => Promise<Title | null>;
}

export interface PlaybackStartDeps {
  sessions: PlaybackSessionModel;
  live: LiveSessionModel;
  progress: ProgressService;
  plays: PlayCounts;
  events: PlaybackEvents;
  facts: SessionFactsCache;
  ending: SessionEnding;
}

/**
 * Starting a session: the member's membership and the title are checked, a free stream of
 * the plan is claimed (the unique (userId, slot) index decides races), and the session starts
 * where the member left off. Sessions of the member that went quiet end here first (the lazy
 * half of expiry), so their streams are free.
 */
export class PlaybackStart {
  constructor(private readonly deps: PlaybackStartDeps) {}

  async start(caller: AuthUser, input: StartPlaybackInput, lookups: StartLookups): Promise<SessionView> {
    const contentId = validateReference('contentId', input.contentId);
    const requestedEpisode = input.episodeId == null ? null : validateReference('episodeId', input.episodeId);
    const device = validateDevice(input.device);
    const [entitlements, title] = await Promise.all([lookups.entitlements(), lookups.title(contentId)]);
    if (!entitlements.canStream || entitlements.maxStreams < 1) {
      throw appError(ErrorCode.MEMBERSHIP_REQUIRED, 'You need an ACTIVE membership to play titles: subscribe to a plan first.');
    }
    if (!title) {
      throw appError(ErrorCode.CONTENT_NOT_FOUND, `contentId: no title with id "${contentId}" is in the catalogue.`, { field: 'contentId' });
    }
    const episode = await this.pickEpisode(title, requestedEpisode, lookups);
    const episodeId = episode?.id ?? null;
    const runtimeSeconds = episode ? episode.runtimeSeconds : title.runtimeSeconds;
    const quality = cappedQuality(input.quality, entitlements.maxQuality);

    const held = await this.deps.live.find({ userId: caller.id }).lean<Live[]>().exec();
    const [taken, positionSeconds] = await Promise.all([
      this.streamsInUse(held),
      this.deps.progress.resumePosition(
        caller.id,
        contentId,
        episodeId,
        held.filter((live) => !live.ending),
      ),
    ]);
    if (taken.size >= entitlements.maxStreams) throw streamLimit(entitlements.maxStreams);
    const now = new Date();
    const sessionId = new Types.ObjectId();
    const live = await this.claimStream(entitlements.maxStreams, taken, (slot) => ({
      _id: sessionId.toHexString(),
      userId: caller.id,
      slot,
      contentId,
      episodeId,
      device,
      quality,
      startedAt: now,
      runtimeSeconds,
      maxPositionSeconds: maxPositionFor(runtimeSeconds),
      state: PlaybackState.PLAYING,
      positionSeconds,
      version: 1,
      updatedAt: now,
      lastHeartbeatAt: now,
      ending: null,
    }));
    const view = viewOfLive(live);
    try {
      await this.deps.sessions.create({ ...recordOf(view, runtimeSeconds), _id: sessionId });
    } catch (error) {
      await this.deps.live.deleteOne({ _id: live._id }).exec();
      throw error;
    }
    this.deps.facts.remember(live._id, live);
    await Promise.all([recordProgress(this.deps.progress, live, false), this.deps.plays.record(contentId, now)]);
    await this.deps.events.publish(view, 'STARTED');
    return view;
  }

  private async pickEpisode(title: Title, episodeId: string | null, lookups: StartLookups): Promise<TitleEpisode | null> {
    if (title.kind === 'MOVIE') {
      if (episodeId) throw badInput('episodeId', 'is only for TV shows; this title is a film.');
      return null;
    }
    if (!episodeId) {
      const first = title.episodes[0];
      if (!first) throw badInput('contentId', 'this show has no episodes yet.');
      return first;
    }
    const cached = title.episodes.find((episode) => episode.id === episodeId);
    if (cached) return cached;
    const fresh = (await lookups.freshTitle(title.id))?.episodes.find((episode) => episode.id === episodeId);
    if (!fresh) throw badInput('episodeId', `no episode with id "${episodeId}" belongs to this show.`);
    return fresh;
  }

  /**
   * The streams the member's sessions hold now. This is the lazy half of expiry: a session
   * quiet for the timeout ends here and frees its stream, and an end interrupted by a crash
   * is finished.
   */
  private async streamsInUse(held: readonly Live[]): Promise<Set<number>> {
    const now = new Date();
    const taken = new Set<number>();
    for (const live of held) if (!(await this.deps.ending.settle(live, now)) && !live.ending) taken.add(live.slot);
    return taken;
  }

  /**
   * Claims the lowest free stream below `maxStreams` by inserting the live document. Racing
   * claims of one stream are decided by the unique (userId, slot) index: one insert wins, the
   * others move on to the next stream or run out.
   */
  private async claimStream(maxStreams: number, taken: ReadonlySet<number>, document: (slot: number) => Live): Promise<Live> {
    for (let slot = 0; slot < maxStreams; slot++) {
      if (taken.has(slot)) continue;
      const live = document(slot);
      try {
        await this.deps.live.create(live);
        return live;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    throw streamLimit(maxStreams);
  }
}
