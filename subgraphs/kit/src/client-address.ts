import type { IncomingMessage } from 'node:http';
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
      const entries = trimmed
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
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

/** Express's named ranges (proxy-addr's), as CIDR ranges. */
const NAMED_RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

function rangesOf(entries: string[]): Range[] {
  return entries
    .flatMap((entry) => NAMED_RANGES[entry] ?? [entry])
    .map((entry): Range => {
      if (entry.includes('/')) return ipaddr.parseCIDR(entry);
      const address = ipaddr.parse(entry);
      return [address, address.kind() === 'ipv4' ? 32 : 128];
    });
}

/** proxy-addr's match: an IPv4 address against an IPv6 range as IPv4-mapped, and the reverse only for mapped addresses. */
function inRanges(address: string, ranges: Range[]): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.parse(address);
  const asIPv4 = parsed instanceof ipaddr.IPv4 ? parsed : parsed.isIPv4MappedAddress() ? parsed.toIPv4Address() : undefined;
  const asIPv6 = parsed instanceof ipaddr.IPv6 ? parsed : parsed.toIPv4MappedAddress();
  return ranges.some(([range, bits]) => (range instanceof ipaddr.IPv4 ? asIPv4?.match(range, bits) === true : asIPv6.match(range, bits)));
}

/**
 * The caller's address under TRUST_PROXY, by the same rules as Express's `req.ip` (proxy-addr):
 * from the socket's peer back through X-Forwarded-For, every hop the trust covers is a proxy,
 * and the first it does not cover is the client. IPv4 clients of a dual-stack socket
 * (::ffff:203.0.113.7) are written as IPv4, so one client has one spelling.
 */
export function requestClientAddress(request: IncomingMessage, trust: TrustProxy): string {
  const header = request.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean)
    .reverse();
  const hops = [request.socket.remoteAddress ?? '', ...forwarded];
  const ranges = Array.isArray(trust) ? rangesOf(trust) : [];
  const trusted = (address: string, index: number) => (trust === false ? false : typeof trust === 'number' ? index < trust : inRanges(address, ranges));
  let client = 0;
  while (client < hops.length - 1 && trusted(hops[client]!, client)) client += 1;
  const address = hops[client];
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
