export function ensureDevSecret(dataDir: string): { secret: string; file: string };
