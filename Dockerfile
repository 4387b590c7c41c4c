# One image for every service of the graph; docker-compose.yml picks the service with
# SERVICE_DIR (gateway or subgraphs/<name>). Sources run through SWC, which emits the
# decorator metadata type-graphql and typegoose need.
FROM node:20-slim
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH
RUN npm install -g pnpm@10.34.8
WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.json ./
COPY gateway/package.json gateway/
COPY subgraphs/kit/package.json subgraphs/kit/
COPY subgraphs/users/package.json subgraphs/users/
COPY subgraphs/catalog/package.json subgraphs/catalog/
COPY subgraphs/ratings/package.json subgraphs/ratings/
COPY subgraphs/streaming/package.json subgraphs/streaming/
COPY subgraphs/billing/package.json subgraphs/billing/
COPY subgraphs/my-list/package.json subgraphs/my-list/
RUN pnpm install --frozen-lockfile
COPY . .
ENV NODE_ENV=production
USER node
ENV SERVICE_DIR=gateway
CMD ["sh", "-c", "cd \"$SERVICE_DIR\" && exec node -r @swc-node/register src/index.ts"]
