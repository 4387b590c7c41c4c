// The development stack's JWT secret: drawn at random the first time, then kept in the data
// folder (readable by its owner only) so tokens stay valid across restarts, and handed to
// every service the stack starts. No secret is written in the source: one that anybody can
// read would let anybody sign an ADMIN token for any stack started without JWT_SECRET.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MIN_LENGTH = 32;

/** `<dataDir>/jwt-secret`, created with mode 0600 when missing; answers the secret. */
export function ensureDevSecret(dataDir) {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'jwt-secret');
  try {
    // `wx`: never overwrite, so two stacks starting at once keep whichever secret came first.
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
  // Kept by an older checkout or copied with looser permissions: only the owner may read it.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < MIN_LENGTH) throw new Error(`${file} holds fewer than ${MIN_LENGTH} characters: delete it to draw a new secret`);
  return { secret, file };
}
