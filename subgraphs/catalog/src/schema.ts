import { buildFederatedSchema } from '@ott/kit';
import { ContentAdminResolver } from './content/content-admin.resolver';
import { Movie, TvShow } from './content/content.model';
import { contentReference } from './content/content.reference';
import { ContentResolver } from './content/content.resolver';
import { EpisodeResolver, TvShowSeasonsResolver } from './episode/episode.resolver';
import { episodeReference } from './episode/episode.reference';
import { genreReference } from './genre/genre.reference';
import { GenreResolver } from './genre/genre.resolver';
import { permissions } from './permissions';

export const name = 'catalog';

export const buildSchema = () =>
  buildFederatedSchema({
    resolvers: [ContentResolver, ContentAdminResolver, EpisodeResolver, TvShowSeasonsResolver, GenreResolver],
    orphanedTypes: [Movie, TvShow],
    referenceResolvers: { ...contentReference, ...episodeReference, ...genreReference },
    permissions,
    federationDirectives: ['@key', '@shareable', '@inaccessible'],
  });
