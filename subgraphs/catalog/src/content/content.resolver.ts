import { Arg, Ctx, Directive, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { AssumedSize, Cost, PagedByFirst, SlicedByFirst } from '@ott/kit';
import type { Context } from '../context';
import { Genre } from '../genre/genre.model';
import type { GenreRecord } from '../genre/genre.service';
import { Content, isAvailable, type ContentRecord } from './content.model';
import { ContentConnection } from './content.connection';
import { ContentFilter, ContentSort } from './content.inputs';

/** Public reads of the catalogue, and the fields every kind of content shares. */
@Resolver(() => Content)
export class ContentResolver {
  @Query(() => Content, { nullable: true, description: 'A film or show by id; null when there is none or it was removed from the catalogue.' })
  async content(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<ContentRecord | null> {
    const record = await ctx.loaders.contentById.load(id);
    return record && isAvailable(record) ? record : null;
  }

  @Directive('@cacheControl(maxAge: 60)')
  // A filtered count (totalCount) on top of the page.
  @Cost(5)
  @PagedByFirst()
  @Query(() => ContentConnection, { description: 'The catalogue, filtered and sorted, a page at a time (at most 100).' })
  browse(
    @Arg('filter', () => ContentFilter, { nullable: true }) filter: ContentFilter | null,
    @Arg('sort', () => ContentSort, { nullable: true, defaultValue: ContentSort.TITLE }) sort: ContentSort | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: Context,
  ): Promise<ContentConnection> {
    return ctx.contents.browse(ctx.catalogue, { filter, sort: sort ?? ContentSort.TITLE, first, after });
  }

  @Directive('@cacheControl(maxAge: 60)')
  // Matches inside titles, which no index serves: it scans every title, in the copy in memory
  // or, for a catalogue larger than the copy holds, in the database (about a second on the
  // embedded one), so a request holds at most a handful of them.
  @Cost(200)
  @SlicedByFirst()
  @Query(() => [Content], {
    description: 'Titles matching the query, ignoring case and accents: titles starting with it first, then titles containing it.',
  })
  search(
    @Arg('query', () => String, { description: '1 to 100 characters.' }) query: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number | null,
    @Ctx() ctx: Context,
  ): Promise<ContentRecord[]> {
    return ctx.contents.search(ctx.catalogue, query, first);
  }

  @Directive('@cacheControl(maxAge: 60)')
  @SlicedByFirst()
  @Query(() => [Content], { description: 'Titles the editors feature, most popular first.' })
  featured(@Arg('first', () => Int, { nullable: true, defaultValue: 10 }) first: number | null, @Ctx() ctx: Context): Promise<ContentRecord[]> {
    return ctx.contents.featured(ctx.catalogue, first);
  }

  @FieldResolver(() => Boolean, {
    description:
      'false once the title has been removed from the catalogue; removed titles still resolve so lists and history render, but cannot be played, rated or added.',
  })
  available(@Root() content: ContentRecord): boolean {
    return isAvailable(content);
  }

  @AssumedSize(3)
  @FieldResolver(() => [Genre])
  async genres(@Root() content: ContentRecord, @Ctx() ctx: Context): Promise<GenreRecord[]> {
    const genres = await ctx.loaders.genreById.loadMany(content.genreIds);
    return genres.filter((genre): genre is GenreRecord => genre !== null && !(genre instanceof Error));
  }

  // A ranking of the titles sharing a genre.
  @Cost(5)
  @SlicedByFirst()
  @FieldResolver(() => [Content], { description: 'Other titles sharing the most genres with this one, best rated first.' })
  async similar(
    @Root() content: ContentRecord,
    @Arg('first', () => Int, { nullable: true, defaultValue: 10 }) first: number | null,
    @Ctx() ctx: Context,
  ): Promise<ContentRecord[]> {
    const ids = await ctx.loaders.similarIds.load({ item: content, first });
    const records = await ctx.loaders.contentById.loadMany(ids);
    return records.filter((record): record is ContentRecord => record !== null && !(record instanceof Error));
  }
}
