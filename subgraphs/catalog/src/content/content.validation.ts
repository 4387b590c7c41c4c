import { badInput } from '@ott/kit';
import { isValidObjectId } from 'mongoose';
import type { MovieInput, TvShowInput } from './content.inputs';

const CONTROL_CHARS = /\p{Cc}/u;
export const TITLE_MAX = 200;
const SYNOPSIS_MAX = 2_000;
const NAME_MAX = 200;
const CAST_MAX = 100;
const GENRES_MAX = 10;
const URL_MAX = 2_000;
export const YEAR_MIN = 1870;
export const YEAR_MAX = 2100;

export function requiredText(field: string, raw: string, max: number): string {
  const text = raw.trim();
  if (text.length === 0) throw badInput(field, 'must not be empty.');
  if (text.length > max) throw badInput(field, `must be at most ${max} characters.`);
  if (CONTROL_CHARS.test(text)) throw badInput(field, 'must not contain control characters.');
  return text;
}

function optionalText(field: string, raw: string | null | undefined, max: number): string | null {
  if (raw == null || raw.trim().length === 0) return null;
  const text = raw.trim();
  if (text.length > max) throw badInput(field, `must be at most ${max} characters.`);
  return text;
}

export function optionalInt(field: string, value: number | null | undefined, min: number, max: number): number | null {
  if (value == null) return null;
  if (!Number.isInteger(value) || value < min || value > max) throw badInput(field, `must be between ${min} and ${max}, got ${value}.`);
  return value;
}

function genreIds(ids: readonly string[], known: ReadonlySet<string>): string[] {
  const unique = [...new Set(ids.map((id) => id.trim()))];
  if (unique.length > GENRES_MAX) throw badInput('genreIds', `may hold at most ${GENRES_MAX} genres.`);
  const unknown = unique.filter((id) => !isValidObjectId(id) || !known.has(id));
  if (unknown.length > 0) throw badInput('genreIds', `no genre with id ${unknown.map((id) => `"${id}"`).join(', ')}; query genres for the ids.`);
  return unique;
}

function posterUrl(raw: string | null | undefined): string | null {
  const text = optionalText('posterUrl', raw, URL_MAX);
  if (text === null) return null;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw badInput('posterUrl', 'must be an http or https URL.');
  return url.toString();
}

function cast(names: readonly string[] | null | undefined): string[] {
  if (!names) return [];
  if (names.length > CAST_MAX) throw badInput('cast', `may list at most ${CAST_MAX} names.`);
  return names.map((name) => requiredText('cast', name, NAME_MAX));
}

/** The fields both kinds share, trimmed and checked; genre ids must name existing genres. */
export function validateTvShowInput(input: TvShowInput, knownGenreIds: ReadonlySet<string>) {
  return {
    title: requiredText('title', input.title, TITLE_MAX),
    synopsis: optionalText('synopsis', input.synopsis, SYNOPSIS_MAX),
    genreIds: genreIds(input.genreIds, knownGenreIds),
    releaseYear: optionalInt('releaseYear', input.releaseYear, YEAR_MIN, YEAR_MAX),
    maturityRating: optionalText('maturityRating', input.maturityRating, 20),
    posterUrl: posterUrl(input.posterUrl),
  };
}

export function validateMovieInput(input: MovieInput, knownGenreIds: ReadonlySet<string>) {
  return {
    ...validateTvShowInput(input, knownGenreIds),
    runtimeMinutes: optionalInt('runtimeMinutes', input.runtimeMinutes, 1, 1_000),
    director: optionalText('director', input.director, NAME_MAX),
    cast: cast(input.cast),
  };
}
