import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { fieldPathsOf } from '../src/outage-paths';

describe('the fields a failed subgraph call would have answered', () => {
  it('are its root fields by response key, for a root call', () => {
    expect(fieldPathsOf(parse('query Home__my_list__0 { me { myList { totalCount } } second: me { __typename } }'), {})).toEqual([['me'], ['second']]);
  });

  it("are each entity's fields, by the fragments that apply to its type, for an entity call", () => {
    const document = parse(`
      query ($representations: [_Any!]!) {
        _entities(representations: $representations) {
          __typename
          ... on Content { ratingsCount count: ratingsCount }
          ... on User { ...UserRatings }
        }
      }
      fragment UserRatings on User { ratings(first: 1) { totalCount } }
    `);
    const representations = [
      { __typename: 'Content', id: 'c1' },
      { __typename: 'User', id: 'u1' },
    ];
    expect(fieldPathsOf(document, { representations })).toEqual([
      ['_entities', 0, 'ratingsCount'],
      ['_entities', 0, 'count'],
      ['_entities', 1, 'ratings'],
    ]);
  });
});
