import { badInput, isDuplicateKeyError, notFound, type Logger } from '@ott/kit';
import { isValidObjectId } from 'mongoose';
import { ContentKind, IN_CATALOGUE, type ContentModels } from '../content/content.model';
import type { ContentService } from '../content/content.service';
import type { CatalogueReader } from '../catalogue/catalogue.reader';
import { optionalInt, requiredText, TITLE_MAX } from '../content/content.validation';
import type { EpisodeInput } from './episode.inputs';
import { toEpisodeRecord, type EpisodeModel, type EpisodeRecord } from './episode.model';

export class EpisodeService {
  constructor(
    private readonly episodes: EpisodeModel,
    private readonly contents: ContentModels['contents'],
    private readonly contentService: ContentService,
    private readonly logger: Logger,
  ) {}

  async findByIds(catalogue: CatalogueReader, ids: readonly string[]): Promise<Map<string, EpisodeRecord>> {
    const valid = ids.filter((id) => isValidObjectId(id));
    if (valid.length === 0) return new Map();
    return catalogue.episodesByIds(valid);
  }

  /** Every episode of the given shows, in season and episode order. */
  async findByShowIds(catalogue: CatalogueReader, showIds: readonly string[]): Promise<EpisodeRecord[]> {
    return catalogue.episodesOfShows(showIds);
  }

  /** The unique (show, season, episode) index decides between racing additions. */
  async add(showId: string, input: EpisodeInput): Promise<EpisodeRecord> {
    const fields = {
      seasonNumber: optionalInt('seasonNumber', input.seasonNumber, 1, 100)!,
      episodeNumber: optionalInt('episodeNumber', input.episodeNumber, 1, 1_000)!,
      title: requiredText('title', input.title, TITLE_MAX),
      runtimeMinutes: optionalInt('runtimeMinutes', input.runtimeMinutes, 1, 1_000),
    };
    if (!isValidObjectId(showId) || !(await this.contents.exists({ _id: showId, kind: ContentKind.TV_SHOW, ...IN_CATALOGUE })))
      throw notFound('TV show', showId);
    try {
      const doc = await this.episodes.create({ showId, ...fields });
      await this.contentService.changed({ episodes: [String(doc._id)] });
      this.logger.info({ showId, episodeId: String(doc._id) }, 'episode added');
      return toEpisodeRecord(doc.toObject());
    } catch (error) {
      if (isDuplicateKeyError(error)) {
        throw badInput('episodeNumber', `season ${fields.seasonNumber} of this show already has episode ${fields.episodeNumber}.`);
      }
      throw error;
    }
  }
}
