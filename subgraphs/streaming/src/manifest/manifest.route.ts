import type { Express, Request, Response } from 'express';
import type { Logger } from '@ott/kit';
import { QUALITIES, type VideoQuality } from '../session/session.enums';
import { MANIFEST_PATH, type PlaybackGrant, type PlaybackUrlSigner } from './playback-url';

/** The renditions a plan's quality opens, lowest first (as HLS players expect to choose among). */
const RENDITIONS: Record<VideoQuality, { bandwidth: number; resolution: string; codecs: string }> = {
  SD: { bandwidth: 1_800_000, resolution: '854x480', codecs: 'avc1.4d401f,mp4a.40.2' },
  HD: { bandwidth: 5_800_000, resolution: '1920x1080', codecs: 'avc1.640028,mp4a.40.2' },
  UHD: { bandwidth: 16_000_000, resolution: '3840x2160', codecs: 'hvc1.2.4.L150.B0,mp4a.40.2' },
};

/**
 * An HLS master playlist with one variant per quality the session may use. Variant URIs are
 * relative, under the title's id, with the grant's query: the media playlists and segments
 * are the CDN's, outside this graph.
 */
export function masterPlaylist(grant: PlaybackGrant, query: string): string {
  const allowed = QUALITIES.slice(0, QUALITIES.indexOf(grant.quality) + 1);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const quality of allowed) {
    const { bandwidth, resolution, codecs } = RENDITIONS[quality];
    lines.push(`#EXT-X-STREAM-INF:BANDWIDTH=${bandwidth},RESOLUTION=${resolution},CODECS="${codecs}"`);
    lines.push(`${encodeURIComponent(grant.contentId)}/${quality.toLowerCase()}/index.m3u8?${query}`);
  }
  return `${lines.join('\n')}\n`;
}

/** GET /playback/:sessionId/master.m3u8?content&quality&expires&signature: 200 with the playlist, or 403. */
export function mountManifestRoute(app: Express, signer: PlaybackUrlSigner, logger: Logger): void {
  app.get(MANIFEST_PATH, (req: Request, res: Response) => {
    const sessionId = String(req.params.sessionId);
    const checked = signer.verify(sessionId, req.query as Record<string, unknown>);
    res.setHeader('cache-control', 'private, no-store');
    if ('refused' in checked) {
      logger.info({ sessionId, refused: checked.refused }, 'playback manifest refused');
      res
        .status(403)
        .type('text/plain')
        .send(checked.refused === 'expired' ? 'This playback URL has expired: ask the graph for the session again.\n' : 'This playback URL is not valid.\n');
      return;
    }
    const query = new URLSearchParams(req.query as Record<string, string>).toString();
    res.status(200).type('application/vnd.apple.mpegurl').send(masterPlaylist(checked.grant, query));
  });
}
