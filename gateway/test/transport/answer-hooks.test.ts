import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { cacheHint, cacheHints } from '../../src/transport/cache-hints';
import { ClientGone, SubgraphCall, SubgraphTimeout } from '../../src/transport/subgraph-call';
import { unavailableErrors } from '../../src/transport/unavailable-errors';
import { ENTITIES, fetchOptions, requestContext } from '../support/stand-in-subgraph';

type Hint = ReturnType<typeof cacheHint>;

/** An operation's cache policy as Apollo Server's `restrict` sees it: the hints it was given. */
function policy() {
  const hints: Hint[] = [];
  return { hints, incomingRequestContext: { overallCachePolicy: { restrict: (hint: Hint) => hints.push(hint) } } };
}

const callOf = (extra: object = {}) => new SubgraphCall('ratings', fetchOptions(ENTITIES, requestContext(), extra), ENTITIES, '{}', 1_000);

describe('the cache hints hook', () => {
  it.each([
    ['max-age=60, public', { maxAge: 60, scope: 'PUBLIC' }],
    ['private, max-age=30', { maxAge: 30, scope: 'PRIVATE' }],
    ['no-store', { maxAge: 0 }],
    [undefined, { maxAge: 0 }],
  ])('reads Cache-Control %s as %o', (header, hint) => {
    expect(cacheHint(header)).toEqual(hint);
  });

  it('restricts the operation’s cache policy with the subgraph’s hint', () => {
    const { hints, incomingRequestContext } = policy();
    cacheHints.answered!(callOf({ incomingRequestContext }), { status: 200, cacheControl: 'max-age=60, public', body: '{}' });
    expect(hints).toEqual([{ maxAge: 60, scope: 'PUBLIC' }]);
  });

  it('leaves a call with no operation behind it alone', () => {
    expect(() => cacheHints.answered!(callOf(), { status: 200, cacheControl: 'max-age=60', body: '{}' })).not.toThrow();
  });
});

describe('the error mapping hook', () => {
  it.each([
    [new Error('HTTP 500 Internal Server Error'), 'HTTP 500 Internal Server Error'],
    [new SyntaxError('Unexpected token <'), 'the answer is not JSON'],
    [new SubgraphTimeout(100), 'no answer within 100 ms'],
  ])('makes %s a SUBGRAPH_UNAVAILABLE error naming the subgraph, keeping its cause', (error, cause) => {
    const mapped = unavailableErrors.failed!(callOf(), error);
    expect(mapped).toBeInstanceOf(GraphQLError);
    expect(mapped).toMatchObject({
      message: `the ratings subgraph did not answer: ${cause}`,
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'ratings' },
    });
    expect((mapped as GraphQLError).originalError?.message).toBe(cause);
  });

  it('passes on a caller whose client left as it is', () => {
    const gone = new ClientGone();
    expect(unavailableErrors.failed!(callOf(), gone)).toBe(gone);
  });
});
