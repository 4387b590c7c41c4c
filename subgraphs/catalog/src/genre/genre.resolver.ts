import { Ctx, Query, Resolver } from 'type-graphql';
import { AssumedSize } from '@ott/kit';
import type { Context } from '../context';
import { Genre } from './genre.model';
import { allGenres, type GenreRecord } from './genre.service';

@Resolver(() => Genre)
export class GenreResolver {
  @AssumedSize(30)
  @Query(() => [Genre], { description: 'Every genre, by name.' })
  genres(@Ctx() ctx: Context): Promise<GenreRecord[]> {
    return allGenres(ctx.catalogue);
  }
}
