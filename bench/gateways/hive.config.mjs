// Hive Gateway's configuration for bench/gateways.bench.mjs: its defaults, plus header
// propagation (the caller's Authorization, and the shared secret our subgraphs require).
const secret = process.env.SUBGRAPH_SHARED_SECRET;

export const gatewayConfig = {
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({
      authorization: request.headers.get('authorization') ?? undefined,
      ...(secret ? { 'x-subgraph-secret': secret } : {}),
    }),
  },
};
