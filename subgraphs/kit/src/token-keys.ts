import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { ConfigError } from './config';
import type { TokenStamps } from './token-stamps';

/**
 * Access tokens are ES256 (ECDSA over P-256 with SHA-256): users alone holds the private keys
 * and signs; every other service holds public keys only, so none of them can mint a token.
 * ES256 rather than EdDSA: jsonwebtoken signs and verifies it (it has no EdDSA), and every JWKS
 * consumer we expect (Apollo Router, Hive Gateway, browsers' WebCrypto) reads P-256 keys.
 */
export const TOKEN_ALGORITHM = 'ES256';

/** A public key that verifies tokens, under the `kid` tokens signed by its private key carry. */
export interface VerificationKey {
  kid: string;
  key: KeyObject;
}

/** The private key users signs with (the newest of JWT_PRIVATE_KEYS). */
export interface SigningKey {
  kid: string;
  key: KeyObject;
}

export interface TokenConfig {
  /** The public keys tokens may be signed by, by `kid`: a token whose `kid` is not here is refused. */
  keys: ReadonlyMap<string, KeyObject>;
  issuer: string;
  audience: string;
  /**
   * Members' "valid after" stamps (set at start-up by `watchTokenStamps`): a token issued
   * before its member's stamp is refused by every request context made with these settings.
   */
  stamps?: TokenStamps;
}

/** Users' settings: it verifies like every service, and it alone signs. */
export interface SigningTokenConfig extends TokenConfig {
  signing: SigningKey;
}

/** A public key as a JWKS lists it: no private part (`d`) ever. */
export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: typeof TOKEN_ALGORITHM;
  use: 'sig';
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** The PEM blocks of a variable, in order; `\n` written as two characters (one-line env files) counts as a line break. */
function pemBlocks(text: string, variable: string): { label: string; pem: string }[] {
  const normalized = text.replace(/\\n/g, '\n');
  const blocks = [...normalized.matchAll(PEM_BLOCK)].map((match) => ({ label: match[1]!, pem: match[0] }));
  const rest = normalized.replace(PEM_BLOCK, '').trim();
  if (blocks.length === 0 || rest !== '')
    throw new ConfigError(`Invalid configuration:\n  ${variable}: must be one or more PEM keys (-----BEGIN … -----END …), nothing else`);
  return blocks;
}

function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

/** RFC 7638's thumbprint of the public key: the same `kid` wherever the key is read, with nothing else to configure. */
export function keyId(publicKey: KeyObject): string {
  const { crv, kty, x, y } = publicKey.export({ format: 'jwk' });
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
}

/** JWT_PUBLIC_KEYS: P-256 public keys (SPKI PEM), refused if any block is a private key. */
export function publicKeysFromPem(text: string, variable = 'JWT_PUBLIC_KEYS'): VerificationKey[] {
  return pemBlocks(text, variable).map(({ label, pem }, index) => {
    if (label.includes('PRIVATE'))
      throw new ConfigError(`Invalid configuration:\n  ${variable}: key ${index + 1} is a private key; verifiers get public keys only`);
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch {
      throw new ConfigError(`Invalid configuration:\n  ${variable}: key ${index + 1} is not a readable public key`);
    }
    if (!isP256(key)) throw new ConfigError(`Invalid configuration:\n  ${variable}: key ${index + 1} is not a P-256 (ES256) key`);
    return { kid: keyId(key), key };
  });
}

/** JWT_PRIVATE_KEYS: P-256 private keys (PKCS#8 or SEC1 PEM), newest first. */
export function privateKeysFromPem(text: string, variable = 'JWT_PRIVATE_KEYS'): SigningKey[] {
  return pemBlocks(text, variable).map(({ pem }, index) => {
    let key: KeyObject;
    try {
      key = createPrivateKey(pem);
    } catch {
      throw new ConfigError(`Invalid configuration:\n  ${variable}: key ${index + 1} is not a readable private key`);
    }
    if (!isP256(key)) throw new ConfigError(`Invalid configuration:\n  ${variable}: key ${index + 1} is not a P-256 (ES256) key`);
    return { kid: keyId(createPublicKey(key)), key };
  });
}

/** A fresh ES256 key pair as PEM (the development stack's, and tests'). */
export function generateTokenKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string };
}

/** The JSON Web Key Set of these settings' public keys: what the gateway serves at /.well-known/jwks.json. */
export function jwks(tokens: TokenConfig): { keys: PublicJwk[] } {
  return {
    keys: [...tokens.keys].map(([kid, key]) => {
      const { x, y } = key.export({ format: 'jwk' }) as JsonWebKey;
      return { kty: 'EC', crv: 'P-256', x: x!, y: y!, kid, alg: TOKEN_ALGORITHM, use: 'sig' };
    }),
  };
}

interface TokenEnv {
  NODE_ENV: string;
  JWT_PUBLIC_KEYS?: string;
  JWT_PRIVATE_KEYS?: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
}

const byKid = (keys: VerificationKey[]) => new Map(keys.map(({ kid, key }) => [kid, key]));

/**
 * A verifier's settings (the gateway and every subgraph but users): public keys only. Given
 * JWT_PRIVATE_KEYS it refuses to start, so a deployment cannot hand it the power to mint
 * tokens by mistake. Production requires JWT_PUBLIC_KEYS; elsewhere, without it, the service
 * knows no key and refuses every token.
 */
export function tokenConfig(config: TokenEnv): TokenConfig {
  if (config.JWT_PRIVATE_KEYS) {
    throw new ConfigError('Invalid configuration:\n  JWT_PRIVATE_KEYS: only the users service signs tokens; give this service JWT_PUBLIC_KEYS');
  }
  if (!config.JWT_PUBLIC_KEYS && config.NODE_ENV === 'production') {
    throw new ConfigError("Invalid configuration:\n  JWT_PUBLIC_KEYS: is required in production (the public keys of users' JWT_PRIVATE_KEYS)");
  }
  const keys = config.JWT_PUBLIC_KEYS ? publicKeysFromPem(config.JWT_PUBLIC_KEYS) : [];
  return { keys: byKid(keys), issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE };
}

/**
 * Users' settings: it signs with the first of JWT_PRIVATE_KEYS and verifies with the public
 * half of every one listed (and any of JWT_PUBLIC_KEYS), so a rotation lists the new key first
 * and keeps the old one until the tokens it signed have expired. Production requires
 * JWT_PRIVATE_KEYS; elsewhere, without it, users draws a key pair of its own (its tokens verify
 * nowhere else).
 */
export function signingTokenConfig(config: TokenEnv): SigningTokenConfig {
  if (!config.JWT_PRIVATE_KEYS && config.NODE_ENV === 'production') {
    throw new ConfigError('Invalid configuration:\n  JWT_PRIVATE_KEYS: is required in production');
  }
  const signingKeys = privateKeysFromPem(config.JWT_PRIVATE_KEYS || generateTokenKeyPair().privateKey);
  const verifying = signingKeys.map(({ kid, key }) => ({ kid, key: createPublicKey(key) }));
  if (config.JWT_PUBLIC_KEYS) verifying.push(...publicKeysFromPem(config.JWT_PUBLIC_KEYS));
  return { keys: byKid(verifying), signing: signingKeys[0]!, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE };
}
