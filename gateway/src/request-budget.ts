import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { addressBucket, ErrorCode, rateLimited, type AuthUser, type RateLimits } from '@ott/kit';

export interface RequestBudgetSettings {
  perMemberPerMinute: number;
  perAnonymousAddressPerMinute: number;
}

/** Charges one request to its caller; throws RATE_LIMITED (HTTP 429) when the budget is spent. */
export type RequestBudget = (user: AuthUser | null, clientIp: string) => Promise<void>;

const tooManyRequests = (retryAfterSeconds: number) => ({
  status: 429,
  headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]),
});

/**
 * The general request budget of every HTTP request to /graphql: per member by the verified
 * token's user id (members behind one address keep their own budgets), per address for
 * everyone else. Charged while the context is built, so a refused request is never parsed,
 * planned or sent on; Apollo Server answers an error thrown there with its `http` head.
 * Health endpoints are not charged (load balancers and probes must not be refused into
 * taking the gateway out of service), nor are updates to subscriptions, which the gateway
 * runs itself and which have limits of their own.
 */
export function requestBudget(limits: RateLimits, settings: RequestBudgetSettings): RequestBudget {
  const members = limits.define({ name: 'requests-member', points: settings.perMemberPerMinute, windowSeconds: 60 });
  const addresses = limits.define({ name: 'requests-ip', points: settings.perAnonymousAddressPerMinute, windowSeconds: 60 });
  return async (user, clientIp) => {
    const wait = user ? await members.consume(user.id) : await addresses.consume(addressBucket(clientIp));
    if (wait !== undefined) throw rateLimited('Too many requests', wait, { http: tooManyRequests(wait) });
  };
}

/**
 * A subgraph answers its own refusals (sign-in, sign-up) with HTTP 200, as GraphQL errors in
 * the federation hop. When one refused the whole operation (no data), the client gets what
 * the gateway's own refusals give: 429 with Retry-After.
 */
export function rateLimitedStatusPlugin<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (data != null || !errors) return;
          const waits = errors
            .filter((error) => error.extensions?.code === ErrorCode.RATE_LIMITED)
            .map((error) => error.extensions?.retryAfterSeconds)
            .filter((wait): wait is number => typeof wait === 'number');
          if (waits.length === 0) return;
          response.http.status = 429;
          response.http.headers.set('retry-after', String(Math.max(...waits)));
        },
      };
    },
  };
}
