import DataLoader from 'dataloader';
import type { UserDocument, UserService } from './user.service';

/** Per-request loaders: one `$in` query per batch of ids, answered in key order. */
export function createUserLoaders(users: UserService) {
  return {
    userById: new DataLoader<string, UserDocument | null>(async (ids) => {
      const found = new Map((await users.findByIds(ids)).map((user) => [user.id, user]));
      return ids.map((id) => found.get(id) ?? null);
    }),
  };
}
