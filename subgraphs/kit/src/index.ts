import 'reflect-metadata';

// The kit's public face: what services, the gateway and tests use. Everything else is internal.

export { credentialsFromAuthorization, Roles, signAccessToken, type AuthUser, type RoleName } from './auth';
export { VersionedCache } from './cache';
export { ChannelEventStream, ChannelFeed } from './channel-feed';
export { addressBucket, requestClientAddress, trustProxyEnv, type TrustProxy } from './client-address';
export {
  baseEnv,
  boolean,
  ConfigError,
  loadConfig,
  metricsListener,
  mongoEnv,
  port,
  redisEnv,
  streamConsumerEnv,
  streamConsumerSettings,
  SUBGRAPH_SECRET_HEADER,
} from './config';
export { connectionType, PageInfo, type ConnectionOptions } from './connection';
export { AssumedSize, Cost, PagedByFirst, SlicedByFirst } from './demand-control';
export { createRequestContext, requestIdFrom, requireUser, settleTokenCheck, type RequestContext } from './context';
export { encodeCursor, pageSize } from './cursor';
export { callSubgraph, EntityClient, type EntityRef } from './entity-client';
export {
  appError,
  badInput,
  createErrorFormatter,
  errorCode,
  ErrorCode,
  forbidden,
  isDuplicateKeyError,
  isPublicError,
  notFound,
  rateLimited,
  unauthenticated,
} from './errors';
export { REQUEST_BODY_LIMIT_BYTES, type ServiceRequest } from './graphql-route';
export { createGraphQLApp, subgraphAppSettings, type RunningServer } from './http';
export { decodeKeysetCursor, keysetPage, type KeysetCursorFormat, type Page } from './keyset';
export { byIdLoader } from './loaders';
export { decodeOrWarn, type ChannelContract, type Decoded, type EventContract, type StreamContract } from './event-contract';
export { createLogger, type LogDestination, type Logger } from './logger';
export { MAX_OPERATION_NAMES, metricsOf, serviceMetrics, type ServiceMetrics } from './metrics';
export { bulkWriteInBatches, connectMongo, discriminatorOn, ensureIndexes, modelOn, objectIdOrNull, openMongo, pingMongo } from './mongo';
export {
  applySharding,
  shardingCommands,
  shardingPlan,
  shardingProblems,
  type AdminCommand,
  type CollectionPlan,
  type ShardKey,
  type Sharding,
  type ShardingPlan,
} from './sharding';
export { runShardingCli } from './sharding-cli';
export { consumeAll, RateLimiter, RateLimits, type Charge } from './rate-limit';
export { connectRedis, createRedis, isCluster, openRedis, redisConnection, type RedisClient, type RedisConnection } from './redis';
export { onShardedMessage, publishSharded, subscribeSharded, unsubscribeSharded } from './sharded-pubsub';
export { MAX_VARIABLES_DEPTH, nestingDepth, variablesDepthError } from './request-guards';
export { currentDatabaseBudget, DEADLINE_HEADER, DeadlinePassedError, DatabaseBudget, withDatabaseBudget } from './database-budget';
export { isAdmin, isOwnerOrAdmin, isPublic, isSignedIn } from './rules';
export { runService, startService, type Service } from './service';
export { decodingHandler, StreamConsumer, StreamPublisher, type StreamConsumerSettings, type StreamEntry } from './streams';
export {
  generateTokenKeyPair,
  jwks,
  keyId,
  privateKeysFromPem,
  publicKeysFromPem,
  signingTokenConfig,
  TOKEN_ALGORITHM,
  tokenConfig,
  type PublicJwk,
  type SigningTokenConfig,
  type TokenConfig,
} from './token-keys';
export { tokenStampChannel, tokenStampEvents, type TokenStampEvent } from './token-stamp-event';
export { TokenStamps, tokenStampKey, watchTokenStamps } from './token-stamps';
export { buildFederatedSchema, printSubgraphSdl } from './subgraph';
export { codePointLabel, isInvisibleText, textProblem, type TextRules } from './text';
