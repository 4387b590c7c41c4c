import type { ApolloServerPlugin } from '@apollo/server';

/**
 * Apollo Sandbox, embedded as Apollo Server's development landing page embeds it, but told
 * where subscriptions are served (this same URL over WebSocket), so Sandbox lists and runs
 * them with the graphql-ws protocol. Development only: production serves no Sandbox.
 */
export function sandboxWithSubscriptions(): ApolloServerPlugin {
  const html = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>OTT supergraph · Apollo Sandbox</title>
<style>html, body { margin: 0; height: 100%; } #sandbox { position: absolute; inset: 0; }</style></head>
<body>
<div id="sandbox"></div>
<script src="https://embeddable-sandbox.cdn.apollographql.com/_latest/embeddable-sandbox.umd.production.min.js"></script>
<script>
  var endpoint = window.location.href.split('?')[0];
  new window.EmbeddedSandbox({
    target: '#sandbox',
    initialEndpoint: endpoint,
    initialSubscriptionEndpoint: endpoint.replace(/^http/, 'ws'),
    endpointIsEditable: false,
    runTelemetry: false,
    initialState: { pollForSchemaUpdates: false, includeCookies: false },
  });
</script>
</body>
</html>`;
  return {
    async serverWillStart() {
      return { async renderLandingPage() { return { html }; } };
    },
  };
}
