import { createHmac, timingSafeEqual } from 'node:crypto';
import { QUALITIES, type VideoQuality } from '../session/session.enums';

/** What a playback URL grants: one session's manifest, up to one quality, until a moment. */
export interface PlaybackGrant {
  sessionId: string;
  contentId: string;
  quality: VideoQuality;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export const MANIFEST_PATH = '/playback/:sessionId/master.m3u8';

/**
 * Signs and checks playback URLs: HMAC-SHA256 over everything the URL grants, so changing
 * the session, title, quality or expiry breaks the signature. This is the check a CDN's token
 * authentication would do at the edge, without asking the database.
 */
export class PlaybackUrlSigner {
  /** Set once the service listens, when PLAYBACK_BASE_URL does not name the address. */
  private baseUrl: string | undefined;

  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number,
    configuredBaseUrl: string | undefined,
  ) {
    this.baseUrl = configuredBaseUrl?.replace(/\/+$/, '');
  }

  /** The service's own address, for when no PLAYBACK_BASE_URL was configured. */
  useOwnAddress(graphqlUrl: string): void {
    this.baseUrl ??= new URL('/', graphqlUrl).toString().replace(/\/+$/, '');
  }

  /** A URL valid for the TTL from now; for an ended session, one that expired when it ended. */
  urlFor(session: { id: string; contentId: string; quality: VideoQuality; endedAt: Date | null }, now = Date.now()): string {
    const expiresAt = session.endedAt ? Math.floor(session.endedAt.getTime() / 1000) : Math.floor(now / 1000) + this.ttlSeconds;
    const grant: PlaybackGrant = { sessionId: session.id, contentId: session.contentId, quality: session.quality, expiresAt };
    const query = new URLSearchParams({ content: grant.contentId, quality: grant.quality, expires: String(grant.expiresAt), signature: this.sign(grant) });
    return `${this.baseUrl ?? ''}/playback/${encodeURIComponent(grant.sessionId)}/master.m3u8?${query}`;
  }

  /** The grant a URL carries, or why it grants nothing. */
  verify(sessionId: string, query: Record<string, unknown>, now = Date.now()): { grant: PlaybackGrant } | { refused: 'invalid' | 'expired' } {
    const { content, quality, expires, signature } = query;
    if (typeof content !== 'string' || typeof quality !== 'string' || typeof expires !== 'string' || typeof signature !== 'string')
      return { refused: 'invalid' };
    if (!QUALITIES.includes(quality as VideoQuality) || !/^\d{1,12}$/.test(expires)) return { refused: 'invalid' };
    const grant: PlaybackGrant = { sessionId, contentId: content, quality: quality as VideoQuality, expiresAt: Number(expires) };
    const expected = Buffer.from(this.sign(grant));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { refused: 'invalid' };
    if (grant.expiresAt * 1000 <= now) return { refused: 'expired' };
    return { grant };
  }

  private sign(grant: PlaybackGrant): string {
    return createHmac('sha256', this.secret).update(`${grant.sessionId}\n${grant.contentId}\n${grant.quality}\n${grant.expiresAt}`).digest('base64url');
  }
}
