import type { ChannelContract } from './event-contract';

/** A member's new "valid after" stamp (ms since the epoch), announced by users to every process. */
export interface TokenStampEvent {
  memberId: string;
  validAfter: number;
}

/** The channel a new stamp is announced on, under the deployment's key prefix. */
export const tokenStampChannel = (keyPrefix: string) => `${keyPrefix}auth:valid-after`;

/**
 * The kit's own contract: the kit both publishes (`TokenStamps.publish`, called by users) and
 * follows it (every process's `TokenStamps`), so it lives here rather than with the domain's
 * events. The message is `<member id> <ms>`.
 */
export const tokenStampEvents: ChannelContract<TokenStampEvent> = {
  name: 'token-stamp',
  encode: ({ memberId, validAfter }) => `${memberId} ${validAfter}`,
  decode(message) {
    const [memberId, stamp, ...rest] = message.split(' ');
    const validAfter = Number(stamp);
    if (!memberId || rest.length > 0) return { problem: 'expected "<member id> <ms>"' };
    if (!Number.isSafeInteger(validAfter) || validAfter < 0) return { problem: 'the stamp is not a whole number of ms' };
    return { event: { memberId, validAfter } };
  },
};
