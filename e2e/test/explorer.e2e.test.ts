import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '@ott/kit';
import { start as startGateway } from '@ott/gateway';
import { startStack, type Stack } from './support/stack';

// Without internet Sandbox (Apollo's CDN) is a blank page: the gateway serves an explorer of
// its own, GraphiQL, from its own files, and its landing page links to it.

let stack: Stack;
let production: Service;

beforeAll(async () => {
  stack = await startStack('explorer', ['users']);
  production = await startGateway({ ...stack.gatewayEnv, NODE_ENV: 'production', PORT: '0' }, stack.supergraphSdl);
});
afterAll(async () => {
  await production?.close();
  await stack?.close();
});

const pageUrl = () => new URL('/graphiql', stack.gatewayUrl).href;

/** Every script, stylesheet and other resource a page (or a stylesheet) refers to. */
function references(text: string): string[] {
  const attributes = [...text.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]!);
  const cssUrls = [...text.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/gi)].map((m) => m[1]!);
  const imports = [...text.matchAll(/@import\s+["']([^"']+)["']/gi)].map((m) => m[1]!);
  return [...attributes, ...cssUrls, ...imports];
}

describe('GraphiQL at /graphiql', () => {
  it('loads every script and style from the gateway itself, and none from elsewhere', async () => {
    const page = await fetch(pageUrl());
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const referenced = references(html);
    expect(referenced.length).toBeGreaterThanOrEqual(5);
    const origin = new URL(stack.gatewayUrl).origin;
    const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)];
    // No inline script: the page runs under script-src 'self'.
    expect(scripts.every((m) => m[1]!.trim() === '')).toBe(true);
    expect(scripts.map((m) => /src="([^"]+)"/.exec(m[0])?.[1])).toEqual([
      '/graphiql/assets/react.production.min.js',
      '/graphiql/assets/react-dom.production.min.js',
      '/graphiql/assets/graphiql.min.js',
      '/graphiql/assets/start.js',
    ]);
    for (const reference of referenced) {
      const url = new URL(reference, pageUrl());
      expect(url.origin, reference).toBe(origin);
      const asset = await fetch(url);
      expect(asset.status, reference).toBe(200);
      const type = asset.headers.get('content-type') ?? '';
      expect(type, reference).toMatch(/^(text\/javascript|text\/css)/);
      const body = await asset.text();
      expect(body.length, reference).toBeGreaterThan(10);
      if (type.startsWith('text/css')) {
        // Stylesheets may embed (data:) but load nothing from elsewhere.
        for (const nested of references(body)) expect(nested, `${reference}: ${nested}`).toMatch(/^data:/);
      }
    }
    const start = await (await fetch(new URL('/graphiql/assets/start.js', pageUrl()))).text();
    expect(start).not.toMatch(/https?:\/\//);
    expect(start).toContain("new URL('/graphql', window.location.href)");
  });

  it("sends a Content-Security-Policy that lets only the gateway's own scripts run and its own endpoint be called", async () => {
    const page = await fetch(pageUrl());
    const policy = Object.fromEntries(
      (page.headers.get('content-security-policy') ?? '').split(';').map((directive) => {
        const [name, ...values] = directive.trim().split(/\s+/);
        return [name!, values];
      }),
    );
    const host = new URL(stack.gatewayUrl).host;
    expect(policy['default-src']).toEqual(["'none'"]);
    expect(policy['script-src']).toEqual(["'self'"]);
    expect(policy['connect-src']).toEqual(["'self'", `ws://${host}`, `wss://${host}`]);
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers an asset it does not have, and /graphiql in production, with NOT_FOUND', async () => {
    expect((await fetch(new URL('/graphiql/assets/nothing.js', pageUrl()))).status).toBe(404);
    const inProduction = await fetch(new URL('/graphiql', production.url));
    expect(inProduction.status).toBe(404);
    expect(((await inProduction.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('NOT_FOUND');
  });
});

describe('the landing page', () => {
  it('links to GraphiQL, and loads Sandbox pinned to a version, never _latest', async () => {
    const page = await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(references(html)).toContain('/graphiql');
    const sandbox = references(html).filter((reference) => reference.startsWith('https://'));
    expect(sandbox).toEqual(['https://embeddable-sandbox.cdn.apollographql.com/v2/embeddable-sandbox.umd.production.min.js']);
    expect(html).not.toContain('_latest');
  });
});
