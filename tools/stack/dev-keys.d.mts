export function generateTokenKeys(): { privateKey: string; publicKey: string };
export function ensureDevKeys(dataDir: string): { privateKey: string; publicKey: string; file: string };
export function publicKeysOf(privateKeys: string): string;
export function stackTokenKeys(dataDir: string, env?: NodeJS.ProcessEnv): { privateKeys: string; publicKeys: string };
export function tokenEnv(service: string, keys: { privateKeys: string; publicKeys: string }): { JWT_PUBLIC_KEYS: string; JWT_PRIVATE_KEYS?: string };
