# One Dockerfile for every service of the graph: the build argument SERVICE picks which
# (gateway, or a subgraph's name: users, catalog, my-list, ratings, streaming, billing), e.g.
#   docker build --build-arg SERVICE=users -t ott-users .
# docker-compose.yml builds one image per service; the build stage up to the deploy is shared.

# Build: the whole workspace from the lockfile, compiled to JavaScript with SWC (tools/build),
# then one service with its production dependencies only.
FROM node:22-bookworm-slim AS build
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH
RUN npm install -g pnpm@10.34.8
WORKDIR /app
# Packages are fetched from the lockfile alone, so this layer stays cached until it changes,
# and no package of the workspace has to be named here.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch --frozen-lockfile
COPY . .
RUN pnpm install --offline --frozen-lockfile
RUN pnpm build
ARG SERVICE=gateway
RUN node tools/build/build.mjs deploy "$SERVICE" /deploy

# Runtime: compiled JavaScript and production dependencies under plain node, as user node.
FROM node:22-bookworm-slim
# ott-compiled makes the workspace packages (@ott/kit, @ott/events) resolve to their dist/, for every node
# command in the image (the service, catalog's import, ratings' repair).
ENV NODE_ENV=production \
    NODE_OPTIONS="--conditions=ott-compiled --enable-source-maps" \
    HOST=0.0.0.0 \
    PORT=4000 \
    SUPERGRAPH_PATH=/app/schema/supergraph.graphql
WORKDIR /app
# Owned by root: the service cannot change its own code.
COPY --from=build /deploy ./
USER node
EXPOSE 4000
# Ready means this service can serve: its own database and Redis answer (the gateway: its Redis
# and supergraph; never another service), checked at most once a second, 2 s per check. Slim
# images have no curl, so node asks. /metrics is on its own listener (METRICS_HOST, loopback
# unless set; METRICS_PORT, PORT + 5090 unless set), not on PORT.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/index.js"]
