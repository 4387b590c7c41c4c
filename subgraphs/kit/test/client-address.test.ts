import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express, { type Request } from 'express';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { addressBucket, ConfigError, loadConfig, requestClientAddress, trustProxyEnv } from '../src';
import type { TrustProxy } from '../src/client-address';

/** What Express itself says (`req.ip`), spelled as ours spells it. */
const expressAddress = (req: Request) => (req.ip && ipaddr.isValid(req.ip) ? ipaddr.process(req.ip).toString() : 'unknown');

const trustProxy = (value: string | undefined) => loadConfig(trustProxyEnv, { TRUST_PROXY: value }).TRUST_PROXY;

describe('TRUST_PROXY', () => {
  it('trusts no one when unset, empty, false or zero', () => {
    for (const value of [undefined, '', 'false', '0']) expect(trustProxy(value), String(value)).toBe(false);
  });

  it('reads a hop count, or a list of addresses, CIDR ranges and Express’s named ranges', () => {
    expect(trustProxy('2')).toBe(2);
    expect(trustProxy(' loopback, 10.0.0.0/8 ,203.0.113.7, fd00::/8 ')).toEqual(['loopback', '10.0.0.0/8', '203.0.113.7', 'fd00::/8']);
  });

  it('refuses true and anything that is not an address, naming what it did not understand', () => {
    expect(() => trustProxy('true')).toThrow(ConfigError);
    expect(() => trustProxy('loopback,gateway.internal')).toThrow(/TRUST_PROXY: .*not understood: gateway\.internal/);
    expect(() => trustProxy('10.0.0.0/40')).toThrow(/not understood: 10\.0\.0\.0\/40/);
  });
});

describe('the address a client is counted under', () => {
  it('is an IPv4 address itself, however the socket spelled it', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('is the /64 of an IPv6 address, since one client can change the rest at will', () => {
    expect(addressBucket('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
  });
});

describe('the client address of a request', () => {
  it('is what Express says under the same TRUST_PROXY, for every setting and X-Forwarded-For', async () => {
    const settings: TrustProxy[] = [
      false,
      1,
      2,
      ['loopback'],
      ['loopback', '10.0.0.0/8'],
      ['127.0.0.1', 'uniquelocal'],
      ['::1'],
      ['::ffff:127.0.0.1/128'],
      ['203.0.113.0/24'],
    ];
    const headers = [
      undefined,
      '203.0.113.7',
      '198.51.100.1, 10.1.2.3',
      '198.51.100.1, 203.0.113.9, 10.1.2.3',
      'garbage, 10.0.0.1',
      '2001:db8::1',
      ' 198.51.100.2 ,10.0.0.3 ',
    ];
    for (const trust of settings) {
      const app = express();
      app.set('trust proxy', trust);
      app.get('/', (req, res) => void res.json({ express: expressAddress(req), ours: requestClientAddress(req, trust) }));
      const server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        for (const header of headers) {
          const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { headers: header ? { 'x-forwarded-for': header } : {} });
          const { express: expected, ours } = (await response.json()) as { express: string; ours: string };
          expect(ours, `${JSON.stringify(trust)} with ${header}`).toBe(expected);
        }
      } finally {
        server.close();
      }
    }
  });
});
