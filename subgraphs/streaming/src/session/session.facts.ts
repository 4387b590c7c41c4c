import type { LiveSession, LiveSessionModel } from '../live/live-session.model';

/** What never changes during a session: checked before a heartbeat writes. */
export type SessionFacts = Pick<LiveSession, 'userId' | 'maxPositionSeconds'>;

/** Facts of this many sessions are kept per process (oldest forgotten first). */
const FACTS_CACHED = 50_000;

/** Each session's unchanging facts, kept per process so a heartbeat reads nothing before its one write. */
export class SessionFactsCache {
  private readonly facts = new Map<string, SessionFacts>();

  constructor(private readonly live: LiveSessionModel) {}

  /** Cached, or read by bare `_id` from the live document; null once the session is not live. */
  async of(sessionId: string): Promise<SessionFacts | null> {
    const cached = this.facts.get(sessionId);
    if (cached) return cached;
    const live = await this.live.findById(sessionId, { userId: 1, maxPositionSeconds: 1 }).lean<SessionFacts>().exec();
    if (live) this.remember(sessionId, live);
    return live;
  }

  remember(sessionId: string, facts: SessionFacts): void {
    if (this.facts.size >= FACTS_CACHED) this.facts.delete(this.facts.keys().next().value!);
    this.facts.set(sessionId, { userId: facts.userId, maxPositionSeconds: facts.maxPositionSeconds });
  }

  forget(sessionId: string): void {
    this.facts.delete(sessionId);
  }
}
