import { ContentSort } from './content.inputs';
import type { ContentKind } from './content.model';

export type SortField = 'titleNormalized' | 'releaseYearKey' | 'popularity' | 'ratingKey';

/** Each public sort's stored key and direction; ties go by id ascending. */
export const SORTS: Record<ContentSort, { field: SortField; direction: 1 | -1 }> = {
  TITLE: { field: 'titleNormalized', direction: 1 },
  RELEASE_YEAR_DESC: { field: 'releaseYearKey', direction: -1 },
  POPULARITY_DESC: { field: 'popularity', direction: -1 },
  RATING_DESC: { field: 'ratingKey', direction: -1 },
};

export const CONTENT_SORTS = Object.values(ContentSort);

/** A browse filter once checked: what the database query and the in-memory catalogue both apply. */
export interface BrowseMatch {
  kind?: ContentKind;
  genreId?: string;
  releaseYearFrom?: number;
  releaseYearTo?: number;
}
