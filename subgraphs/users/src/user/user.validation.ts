import { badInput, isInvisibleText, textProblem } from '@ott/kit';

// Deliberately simple: one @, no spaces, a dot in the domain. The address is proven by use.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

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

/**
 * NFC-normalized and trimmed. Other members see it: no control characters, no bidirectional
 * controls (marks included: a name needs none), and something visible.
 */
export function normalizeDisplayName(raw: string): string {
  const name = raw.normalize('NFC').trim();
  if (name.length === 0) throw badInput('displayName', 'must not be empty.');
  if (name.length > DISPLAY_NAME_MAX) throw badInput('displayName', `must be at most ${DISPLAY_NAME_MAX} characters.`);
  const problem = textProblem(name);
  if (problem) throw badInput('displayName', problem);
  if (isInvisibleText(name)) throw badInput('displayName', 'must contain a visible character: it holds only blank or zero-width characters.');
  return name;
}

export function normalizeGenreIds(ids: readonly string[]): string[] {
  const unique = [...new Set(ids.map((id) => id.trim()))];
  if (unique.length > FAVORITE_GENRES_MAX) throw badInput('favoriteGenreIds', `may hold at most ${FAVORITE_GENRES_MAX} genres.`);
  if (unique.some((id) => id.length === 0 || id.length > 64)) throw badInput('favoriteGenreIds', 'holds an empty or over-long id.');
  return unique;
}
