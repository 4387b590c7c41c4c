import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { AssumedSize } from '@ott/kit';
import { isAvailable, TvShow, type ContentRecord } from '../content/content.model';
import { readOwnWrite, type Context } from '../context';
import { EpisodeInput } from './episode.inputs';
import { Episode, Season, type EpisodeRecord } from './episode.model';

@Resolver(() => Episode)
export class EpisodeResolver {
  @FieldResolver(() => TvShow)
  show(@Root() episode: EpisodeRecord, @Ctx() ctx: Context): Promise<ContentRecord | null> {
    return ctx.loaders.contentById.load(episode.showId);
  }

  @Mutation(() => Episode, { description: 'Adds an episode to a show; a season is created by its first episode. ADMIN only.' })
  async addEpisode(
    @Arg('showId', () => ID) showId: string,
    @Arg('input', () => EpisodeInput) input: EpisodeInput,
    @Ctx() ctx: Context,
  ): Promise<EpisodeRecord> {
    const added = await ctx.episodes.add(showId, input);
    readOwnWrite(ctx);
    return added;
  }
}

@Resolver(() => TvShow)
export class TvShowSeasonsResolver {
  @AssumedSize(5)
  @FieldResolver(() => [Season], { description: 'Seasons in order, each with its episodes in order; none once the show was removed.' })
  async seasons(@Root() show: ContentRecord, @Ctx() ctx: Context): Promise<Season[]> {
    // A removed show's episodes still resolve by id (history), but are no longer listed to play.
    if (!isAvailable(show)) return [];
    const seasons = new Map<number, EpisodeRecord[]>();
    for (const episode of await ctx.loaders.episodesByShowId.load(show.id)) {
      seasons.set(episode.seasonNumber, [...(seasons.get(episode.seasonNumber) ?? []), episode]);
    }
    return [...seasons].map(([number, episodes]) => ({ number, episodes }));
  }
}
