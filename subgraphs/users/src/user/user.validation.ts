import { badInput } from '@ott/kit';

// Deliberately simple: one @, no spaces, a dot in the domain. The address is proven by use.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CONTROL_CHARS = /\p{Cc}/u;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;
const DISPLAY_NAME_MAX = 50;
const FAVORITE_GENRES_MAX = 20;

export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) throw badInput('email', 'is not a valid email address.');
  return email;
}

export function validatePassword(password: string): string {
  if (password.length < PASSWORD_MIN) throw badInput('password', `must be at least ${PASSWORD_MIN} characters.`);
  if (password.length > PASSWORD_MAX) throw badInput('password', `must be at most ${PASSWORD_MAX} characters.`);
  return password;
}

export function normalizeDisplayName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0) throw badInput('displayName', 'must not be empty.');
  if (name.length > DISPLAY_NAME_MAX) throw badInput('displayName', `must be at most ${DISPLAY_NAME_MAX} characters.`);
  if (CONTROL_CHARS.test(name)) throw badInput('displayName', 'must not contain control characters.');
  return name;
}

export function normalizeGenreIds(ids: readonly string[]): string[] {
  const unique = [...new Set(ids.map((id) => id.trim()))];
  if (unique.length > FAVORITE_GENRES_MAX) throw badInput('favoriteGenreIds', `may hold at most ${FAVORITE_GENRES_MAX} genres.`);
  if (unique.some((id) => id.length === 0 || id.length > 64)) throw badInput('favoriteGenreIds', 'holds an empty or over-long id.');
  return unique;
}
