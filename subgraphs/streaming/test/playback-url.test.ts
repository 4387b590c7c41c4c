import { describe, expect, it } from 'vitest';
import { masterPlaylist } from '../src/manifest/manifest.route';
import { PlaybackUrlSigner } from '../src/manifest/playback-url';

const SECRET = 'a-test-secret-that-is-long-enough-for-hmac';
const session = { id: '64b7f0c2a1b2c3d4e5f60718', contentId: '64b7f0c2a1b2c3d4e5f60799', quality: 'HD' as const, endedAt: null };

function parts(url: string) {
  const parsed = new URL(url);
  const sessionId = /^\/playback\/([^/]+)\/master\.m3u8$/.exec(parsed.pathname)![1]!;
  return { sessionId, query: Object.fromEntries(parsed.searchParams) };
}

describe('playback URLs', () => {
  it('are absolute under the configured base, and valid until the TTL runs out', () => {
    const signer = new PlaybackUrlSigner(SECRET, 600, 'https://cdn.example.test/');
    const now = Date.UTC(2026, 11, 1, 12);
    const url = signer.urlFor(session, now);
    expect(url.startsWith(`https://cdn.example.test/playback/${session.id}/master.m3u8?`)).toBe(true);
    const { sessionId, query } = parts(url);
    expect(signer.verify(sessionId, query, now + 599_000)).toEqual({
      grant: { sessionId, contentId: session.contentId, quality: 'HD', expiresAt: now / 1000 + 600 },
    });
    expect(signer.verify(sessionId, query, now + 600_000)).toEqual({ refused: 'expired' });
  });

  it('use the service’s own address when no base is configured, and keep a configured one', () => {
    const own = new PlaybackUrlSigner(SECRET, 600, undefined);
    own.useOwnAddress('http://127.0.0.1:4005/graphql');
    expect(own.urlFor(session).startsWith('http://127.0.0.1:4005/playback/')).toBe(true);
    const configured = new PlaybackUrlSigner(SECRET, 600, 'https://cdn.example.test');
    configured.useOwnAddress('http://127.0.0.1:4005/graphql');
    expect(configured.urlFor(session).startsWith('https://cdn.example.test/playback/')).toBe(true);
  });

  it('are refused when any granted part changes, or when signed with another secret', () => {
    const signer = new PlaybackUrlSigner(SECRET, 600, 'http://localhost');
    const { sessionId, query } = parts(signer.urlFor(session));
    expect(signer.verify('64b7f0c2a1b2c3d4e5f60000', query)).toEqual({ refused: 'invalid' });
    for (const change of [
      { quality: 'UHD' },
      { content: 'other' },
      { expires: String(Number(query.expires) + 1) },
      { signature: 'x' },
      { quality: 'ULTRA' },
      { expires: '-1' },
    ]) {
      expect(signer.verify(sessionId, { ...query, ...change })).toEqual({ refused: 'invalid' });
    }
    expect(signer.verify(sessionId, { ...query, quality: ['HD', 'UHD'] })).toEqual({ refused: 'invalid' });
    expect(new PlaybackUrlSigner(`${SECRET}-rotated`, 600, 'http://localhost').verify(sessionId, query)).toEqual({ refused: 'invalid' });
  });

  it('of an ended session expired when it ended', () => {
    const signer = new PlaybackUrlSigner(SECRET, 600, 'http://localhost');
    const endedAt = new Date(Date.now() - 1_000);
    const { sessionId, query } = parts(signer.urlFor({ ...session, endedAt }));
    expect(signer.verify(sessionId, query)).toEqual({ refused: 'expired' });
  });
});

describe('the master playlist', () => {
  it('lists one variant per quality up to the granted one, lowest first, with the grant passed on', () => {
    const playlist = masterPlaylist({ sessionId: 's', contentId: 'c1', quality: 'UHD', expiresAt: 1 }, 'sig=abc');
    const lines = playlist.trimEnd().split('\n');
    expect(lines.slice(0, 3)).toEqual(['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS']);
    expect(lines.filter((line) => line.startsWith('#EXT-X-STREAM-INF')).map((line) => /RESOLUTION=(\S+?),/.exec(line)![1])).toEqual([
      '854x480',
      '1920x1080',
      '3840x2160',
    ]);
    expect(lines.filter((line) => !line.startsWith('#'))).toEqual(['c1/sd/index.m3u8?sig=abc', 'c1/hd/index.m3u8?sig=abc', 'c1/uhd/index.m3u8?sig=abc']);
    expect(masterPlaylist({ sessionId: 's', contentId: 'c1', quality: 'SD', expiresAt: 1 }, '').match(/#EXT-X-STREAM-INF/g)).toHaveLength(1);
  });
});
