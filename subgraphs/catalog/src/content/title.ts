/**
 * The searchable and sortable form of a title: compatibility-decomposed (so "Alien³" reads
 * "alien 3"), accents stripped, lower case, every run of punctuation or spaces one space.
 */
export function normalizeTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** A URL-safe, ASCII identifier: "Thriller/Suspense" → "thriller-suspense". */
export function slugify(text: string): string {
  return normalizeTitle(text)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
