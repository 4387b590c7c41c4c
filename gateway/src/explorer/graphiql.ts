import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Express, Request, Response } from 'express';
import type { Logger } from '@ott/kit';

/** Where the explorer is served (development only, like Sandbox). */
export const GRAPHIQL_PATH = '/graphiql';

/**
 * The files of the explorer, all from the gateway's own node_modules: GraphiQL 3's prebuilt
 * bundle (graphql-ws and its fonts included) over React 18's UMD builds, and the page's own
 * start-up script. Nothing is fetched from elsewhere, so it works without internet.
 */
function assets(): Map<string, { file: string; type: string }> {
  const require = createRequire(__filename);
  const root = (name: string) => dirname(require.resolve(`${name}/package.json`));
  return new Map([
    ['react.production.min.js', { file: join(root('react'), 'umd/react.production.min.js'), type: 'text/javascript' }],
    ['react-dom.production.min.js', { file: join(root('react-dom'), 'umd/react-dom.production.min.js'), type: 'text/javascript' }],
    ['graphiql.min.js', { file: join(root('graphiql'), 'graphiql.min.js'), type: 'text/javascript' }],
    ['graphiql.min.css', { file: join(root('graphiql'), 'graphiql.min.css'), type: 'text/css' }],
  ]);
}

/** Starts GraphiQL on this gateway's own /graphql, queries over HTTP and subscriptions over its WebSocket. */
const START = `'use strict';
var url = new URL('/graphql', window.location.href).href;
var fetcher = GraphiQL.createFetcher({ url: url, subscriptionUrl: url.replace(/^http/, 'ws') });
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, { fetcher: fetcher, shouldPersistHeaders: false, defaultEditorToolsVisibility: 'headers' }),
);
`;

const HTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>OTT supergraph · GraphiQL</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${GRAPHIQL_PATH}/assets/graphiql.min.css">
<link rel="stylesheet" href="${GRAPHIQL_PATH}/assets/page.css">
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${GRAPHIQL_PATH}/assets/react.production.min.js"></script>
<script src="${GRAPHIQL_PATH}/assets/react-dom.production.min.js"></script>
<script src="${GRAPHIQL_PATH}/assets/graphiql.min.js"></script>
<script src="${GRAPHIQL_PATH}/assets/start.js"></script>
</body>
</html>
`;

const PAGE_CSS = 'html, body, #graphiql { height: 100%; margin: 0; }\n';

/**
 * Only this origin's files run; GraphiQL sets inline styles and embeds its fonts as data: URLs;
 * it talks to this gateway only (its WebSocket named by host, as older browsers do not count
 * ws: as 'self').
 */
function contentSecurityPolicy(req: Request): string {
  const host = req.get('host');
  const sockets = host && /^[\w.:[\]-]+$/.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "img-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Serves GraphiQL at /graphiql from the gateway's own files. Not in production (no explorer
 * there, as no Sandbox), nor where its packages are not installed (they are development
 * dependencies): the path then answers NOT_FOUND like any other.
 */
export function serveGraphiQL(app: Express, logger: Logger): void {
  let files: ReturnType<typeof assets>;
  try {
    files = assets();
  } catch (error) {
    logger.warn({ err: error }, 'GraphiQL is not installed: /graphiql is not served');
    return;
  }
  const own = new Map<string, { body: string; type: string }>([
    ['start.js', { body: START, type: 'text/javascript' }],
    ['page.css', { body: PAGE_CSS, type: 'text/css' }],
  ]);
  app.get(GRAPHIQL_PATH, (req: Request, res: Response) => {
    res.set({ 'content-security-policy': contentSecurityPolicy(req), 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' });
    res.type('text/html').send(HTML);
  });
  app.get(`${GRAPHIQL_PATH}/assets/:name`, (req: Request<{ name: string }>, res: Response, next) => {
    res.set({ 'x-content-type-options': 'nosniff', 'cache-control': 'public, max-age=3600' });
    const generated = own.get(req.params.name);
    if (generated) return void res.type(generated.type).send(generated.body);
    const asset = files.get(req.params.name);
    if (!asset) return next();
    // pnpm keeps packages under node_modules/.pnpm: a dot folder, which sendFile refuses unless told.
    res.type(asset.type).sendFile(asset.file, { dotfiles: 'allow' });
  });
}
