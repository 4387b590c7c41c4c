import { describe, expect, it } from 'vitest';
import { forwardHeaders } from '../../src/transport/forward-headers';
import { requestDeadline } from '../../src/transport/request-deadline';
import { SubgraphCall } from '../../src/transport/subgraph-call';
import { ENTITIES, fetchOptions, requestContext } from '../support/stand-in-subgraph';
import type { GatewayContext } from '../../src/context';

const callOf = (context: GatewayContext, timeoutMs = 5_000) => new SubgraphCall('catalog', fetchOptions(ENTITIES, context), ENTITIES, '{}', timeoutMs);

describe('the headers hook', () => {
  it('forwards the caller’s credentials, request id and address, and the shared secret', () => {
    const call = callOf(requestContext());
    forwardHeaders('between-services').prepare!(call);
    expect(call.headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: 'Bearer member-a',
      'x-request-id': 'r-1',
      'x-forwarded-for': '203.0.113.7',
      'x-subgraph-secret': 'between-services',
    });
  });

  it('adds nothing the request does not have (a subscription update has no client address), and no secret when none is set', () => {
    const call = callOf(requestContext({ authorization: undefined, clientIp: undefined }));
    forwardHeaders(undefined).prepare!(call);
    expect(call.headers).toEqual({ 'content-type': 'application/json', accept: 'application/json', 'x-request-id': 'r-1' });
  });
});

describe('the deadline hook', () => {
  it('tells the subgraph the request’s deadline, and cuts the call off then when that comes first', () => {
    const deadline = Date.now() + 300;
    const call = callOf(requestContext({ deadline }));
    requestDeadline.prepare!(call);
    expect(call.headers['x-request-deadline']).toBe(String(deadline));
    expect(call.timeoutMs).toBeGreaterThan(200);
    expect(call.timeoutMs).toBeLessThanOrEqual(300);
  });

  it('keeps the subgraph timeout when it comes first, and leaves a call past its deadline 1 ms', () => {
    const later = callOf(requestContext({ deadline: Date.now() + 60_000 }), 5_000);
    requestDeadline.prepare!(later);
    expect(later.timeoutMs).toBe(5_000);
    const late = callOf(requestContext({ deadline: Date.now() - 1_000 }));
    requestDeadline.prepare!(late);
    expect(late.timeoutMs).toBe(1);
  });

  it('changes nothing for a call with no deadline (a health check)', () => {
    const call = callOf(requestContext({ deadline: undefined }));
    requestDeadline.prepare!(call);
    expect(call.headers).not.toHaveProperty('x-request-deadline');
    expect(call.timeoutMs).toBe(5_000);
  });
});
