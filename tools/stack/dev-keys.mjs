// The development stack's token keys: an ES256 key pair drawn the first time, then kept in the
// data folder so tokens stay valid across restarts. The private key (readable by its owner
// only) goes to users alone, which signs; every other service gets the public key. No key is
// written in the source: one anybody can read would let anybody sign an ADMIN token.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A fresh ES256 (P-256) key pair as PEM: `privateKey` (PKCS#8) and `publicKey` (SPKI). */
export function generateTokenKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }), publicKey: publicKey.export({ type: 'spki', format: 'pem' }) };
}

/**
 * `<dataDir>/jwt-private-key.pem` (mode 0600), created when missing, and its public half;
 * answers both as PEM with the private key's file.
 */
export function ensureDevKeys(dataDir) {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'jwt-private-key.pem');
  try {
    // `wx`: never overwrite, so two stacks starting at once keep whichever key came first.
    writeFileSync(file, generateTokenKeys().privateKey, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
  // Kept by an older checkout or copied with looser permissions: only the owner may read it.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const privateKey = readFileSync(file, 'utf8');
  let key;
  try {
    key = createPrivateKey(privateKey);
  } catch {
    throw new Error(`${file} holds no readable private key: delete it to draw a new key pair`);
  }
  if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error(`${file} is not a P-256 (ES256) key: delete it to draw a new key pair`);
  return { privateKey, publicKey: createPublicKey(key).export({ type: 'spki', format: 'pem' }), file };
}

/** The public halves of PEM private keys (JWT_PRIVATE_KEYS), as PEM, in the same order. */
export function publicKeysOf(privateKeys) {
  const blocks = privateKeys.replace(/\\n/g, '\n').match(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g) ?? [];
  return blocks.map((pem) => createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'pem' })).join('');
}

/**
 * The stack's keys: JWT_PRIVATE_KEYS from the environment when set (JWT_PUBLIC_KEYS then, or
 * the public halves of those), else the pair kept in the data folder.
 */
export function stackTokenKeys(dataDir, env = process.env) {
  if (env.JWT_PRIVATE_KEYS) return { privateKeys: env.JWT_PRIVATE_KEYS, publicKeys: env.JWT_PUBLIC_KEYS || publicKeysOf(env.JWT_PRIVATE_KEYS) };
  const { privateKey, publicKey } = ensureDevKeys(dataDir);
  return { privateKeys: privateKey, publicKeys: publicKey };
}

/** A service's token settings: every one gets the public keys, users alone the private keys too. */
export function tokenEnv(service, { privateKeys, publicKeys }) {
  return service === 'users' ? { JWT_PUBLIC_KEYS: publicKeys, JWT_PRIVATE_KEYS: privateKeys } : { JWT_PUBLIC_KEYS: publicKeys };
}
