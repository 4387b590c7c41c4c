# One image for every service of the graph; docker-compose.yml picks the service with
# SERVICE_DIR (gateway or subgraphs/<name>). Sources run through SWC, which emits the
# decorator metadata type-graphql and typegoose need.
FROM node:20-slim
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH
RUN npm install -g pnpm@10.34.8
WORKDIR /app
# Packages are fetched from the lockfile alone, so this layer stays cached until it changes,
# and no package of the workspace has to be named here.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch --frozen-lockfile
COPY . .
RUN pnpm install --offline --frozen-lockfile
ENV NODE_ENV=production
USER node
ENV SERVICE_DIR=gateway
CMD ["sh", "-c", "cd \"$SERVICE_DIR\" && exec node -r @swc-node/register src/index.ts"]
