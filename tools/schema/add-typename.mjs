// A document transform for codegen.yml's client preset: `__typename` in every selection set,
// as Apollo Client's cache adds it to what it sends. A document run by its id alone is the
// manifest's text, not the client's; without this the answers lack the `__typename` the cache
// needs (to tell a Movie from a TvShow, to normalise by type).
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

export const { transform } = addTypenameSelectionDocumentTransform;
