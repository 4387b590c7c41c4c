import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { readOwnWrite, type Context } from '../context';
import { MovieInput, TvShowInput } from './content.inputs';
import { Content, Movie, TvShow, type ContentRecord } from './content.model';

/** ADMIN writes to the catalogue; each answer is read from the catalogue that includes the write. */
@Resolver()
export class ContentAdminResolver {
  @Mutation(() => Movie, { description: 'Adds a film. ADMIN only.' })
  async createMovie(@Arg('input', () => MovieInput) input: MovieInput, @Ctx() ctx: Context): Promise<ContentRecord> {
    const created = await ctx.contents.createMovie(ctx.catalogue, input);
    readOwnWrite(ctx);
    return created;
  }

  @Mutation(() => TvShow, { description: 'Adds a series without episodes; add them with addEpisode. ADMIN only.' })
  async createTvShow(@Arg('input', () => TvShowInput) input: TvShowInput, @Ctx() ctx: Context): Promise<ContentRecord> {
    const created = await ctx.contents.createTvShow(ctx.catalogue, input);
    readOwnWrite(ctx);
    return created;
  }

  @Mutation(() => Content, { description: 'Adds a title to, or removes it from, the featured list. ADMIN only.' })
  async setFeatured(
    @Arg('contentId', () => ID) contentId: string,
    @Arg('featured', () => Boolean) featured: boolean,
    @Ctx() ctx: Context,
  ): Promise<ContentRecord> {
    const changed = await ctx.contents.setFeatured(contentId, featured);
    readOwnWrite(ctx);
    return changed;
  }

  @Mutation(() => Boolean, {
    description:
      'Removes a title from the catalogue: it no longer appears in browse, search or content(id), and cannot be played, rated or added; existing references still resolve with available false, and saved lists drop it shortly after. ADMIN only.',
  })
  deleteContent(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.contents.delete(id);
  }
}
