import { badInput, isInvisibleText, textProblem } from '@ott/kit';

export const SCORE_MIN = 1;
export const SCORE_MAX = 10;
export const REVIEW_MAX = 2_000;
const ID_MAX = 64;

export function validateScore(score: number): number {
  if (!Number.isInteger(score) || score < SCORE_MIN || score > SCORE_MAX) {
    throw badInput('score', `must be a whole number from ${SCORE_MIN} to ${SCORE_MAX}, got ${score}.`);
  }
  return score;
}

/**
 * Trimmed, line ends as "\n"; blank (or invisible-only) means no review. Stored and returned
 * as written (clients escape it), so what could disguise it is refused: control characters
 * other than newline and tab, and the bidirectional embeddings, overrides and isolates
 * (the direction marks stay: right-to-left reviews use them).
 */
export function normalizeReview(review: string | null | undefined): string | null {
  const text = review?.replace(/\r\n/g, '\n').trim() ?? '';
  if (text.length > REVIEW_MAX)
    throw badInput('review', `must be at most ${REVIEW_MAX.toLocaleString('en')} characters, got ${text.length.toLocaleString('en')}.`);
  const problem = textProblem(text, { allowControls: '\n\t', allowBidiMarks: true });
  if (problem) throw badInput('review', problem);
  return isInvisibleText(text) ? null : text;
}

export function normalizeContentId(contentId: string): string {
  const id = contentId.trim();
  if (id.length === 0 || id.length > ID_MAX) throw badInput('contentId', 'must be the id of a movie or show.');
  return id;
}
