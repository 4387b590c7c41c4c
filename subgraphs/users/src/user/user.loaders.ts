import { byIdLoader } from '@ott/kit';
import type { UserDocument, UserService } from './user.service';

/** Per-request loaders: one `$in` query per batch of ids, answered in key order. */
export function createUserLoaders(users: UserService) {
  return {
    userById: byIdLoader<UserDocument>((ids) => users.findByIds(ids)),
  };
}
