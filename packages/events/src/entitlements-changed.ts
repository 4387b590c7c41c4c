import type { StreamContract } from '@ott/kit';
import { decodeFields, text } from './fields';

/** A member's membership changed (plan change, cancellation, renewal): their entitlements may have. */
export interface EntitlementsChanged {
  userId: string;
}

/** billing → streaming (consumer group "streaming"). Entry: `userId`. */
export const entitlementsChanged: StreamContract<EntitlementsChanged> = {
  name: 'entitlements-changed',
  encode: ({ userId }) => ({ userId }),
  decode: (fields) => decodeFields(fields, (f) => ({ userId: text(f, 'userId') })),
};
