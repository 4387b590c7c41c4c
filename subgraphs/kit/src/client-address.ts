import type { Request } from 'express';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/**
 * Express's `trust proxy`: false trusts no one (the socket's peer is the client), a number
 * trusts that many hops in front of the service, a list trusts the proxies it names.
 */
export type TrustProxy = false | number | string[];

/** The names Express (proxy-addr) understands beside addresses and CIDR ranges. */
const PRESETS = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(entry: string): boolean {
  if (PRESETS.has(entry)) return true;
  if (!entry.includes('/')) return ipaddr.isValid(entry);
  try {
    ipaddr.parseCIDR(entry);
    return true;
  } catch {
    return false;
  }
}

/**
 * Which peers may say who the client is (X-Forwarded-For). `true` (trust everyone) is refused:
 * it would let any client pick the address its rate limits are counted under.
 */
export const trustProxyEnv = {
  TRUST_PROXY: z
    .string()
    .default('')
    .transform((value, ctx): TrustProxy => {
      const trimmed = value.trim();
      if (trimmed === '' || trimmed === 'false' || trimmed === '0') return false;
      if (/^\d+$/.test(trimmed)) return Number(trimmed);
      const entries = trimmed.split(',').map((entry) => entry.trim()).filter(Boolean);
      const unknown = entries.filter((entry) => !isProxyAddress(entry));
      if (unknown.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `must name the proxies (addresses, CIDR ranges, loopback, linklocal, uniquelocal) or count their hops; not understood: ${unknown.join(', ')}`,
        });
        return z.NEVER;
      }
      return entries;
    }),
};

/**
 * The caller's address as Express derives it under `trust proxy`, with IPv4 clients of a
 * dual-stack socket (::ffff:203.0.113.7) written as IPv4, so one client has one spelling.
 */
export function clientAddress(req: Request): string {
  const address = req.ip ?? req.socket.remoteAddress;
  return address && ipaddr.isValid(address) ? ipaddr.process(address).toString() : 'unknown';
}

/**
 * What per-address limits count under. An IPv6 client usually holds a whole /64 and can change
 * its last 64 bits at will, so IPv6 addresses are counted by their /64.
 */
export function addressBucket(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (!(parsed instanceof ipaddr.IPv6)) return parsed.toString();
  const prefix = parsed.parts.slice(0, 4).map((part) => part.toString(16));
  return `${prefix.join(':')}::/64`;
}
