import { connectionType, type Page } from '@ott/kit';
import { Rating, type RatingDocument } from './rating.model';

export const RatingConnection = connectionType('Rating', () => Rating, { totalCount: 'All ratings in the list, on every page.' });
export type RatingConnection = Page<RatingDocument>;
