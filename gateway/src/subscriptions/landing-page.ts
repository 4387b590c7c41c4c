import type { ApolloServerPlugin } from '@apollo/server';
import { GRAPHIQL_PATH } from '../explorer/graphiql';

/**
 * The embeddable Sandbox's version on Apollo's CDN: the major version Apollo Server 5's own
 * landing page pins (`DEFAULT_EMBEDDED_SANDBOX_VERSION`), never `_latest`.
 */
export const SANDBOX_VERSION = 'v2';

/**
 * Apollo Sandbox, embedded as Apollo Server's development landing page embeds it, but told
 * where subscriptions are served (this same URL over WebSocket), so Sandbox lists and runs
 * them with the graphql-ws protocol. Sandbox loads from Apollo's CDN: the page links to the
 * gateway's own GraphiQL (/graphiql), and offers it in Sandbox's place when the script cannot
 * load (no internet). Development only: production serves no Sandbox.
 */
export function sandboxWithSubscriptions(): ApolloServerPlugin {
  const html = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>OTT supergraph · Apollo Sandbox</title>
<style>html, body { margin: 0; height: 100%; font-family: sans-serif; } #sandbox { position: absolute; inset: 0; }
#graphiql-link { position: fixed; right: 12px; bottom: 12px; z-index: 1; padding: 6px 10px; border-radius: 4px; background: #fff; color: #15252d; box-shadow: 0 1px 4px rgba(0,0,0,.3); font-size: 13px; }
#offline { padding: 2em; }</style></head>
<body>
<div id="sandbox"></div>
<div id="offline" hidden><h1>Apollo Sandbox could not load</h1>
<p>Sandbox comes from Apollo's CDN, which this browser cannot reach. <a href="${GRAPHIQL_PATH}">GraphiQL</a> is served by this gateway itself and works offline.</p></div>
<a id="graphiql-link" href="${GRAPHIQL_PATH}">Open GraphiQL (works offline)</a>
<script src="https://embeddable-sandbox.cdn.apollographql.com/${SANDBOX_VERSION}/embeddable-sandbox.umd.production.min.js" onerror="document.getElementById('sandbox').hidden = true; document.getElementById('offline').hidden = false"></script>
<script>
  if (window.EmbeddedSandbox) {
    var endpoint = window.location.href.split('?')[0];
    new window.EmbeddedSandbox({
      target: '#sandbox',
      initialEndpoint: endpoint,
      initialSubscriptionEndpoint: endpoint.replace(/^http/, 'ws'),
      endpointIsEditable: false,
      runTelemetry: false,
      initialState: { pollForSchemaUpdates: false, includeCookies: false },
    });
  }
</script>
</body>
</html>`;
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html };
        },
      };
    },
  };
}
