// A stream consumer as its own operating-system process, so a test can SIGKILL it mid-entry
// or compare the names two processes choose. It reads its settings as every service does
// (the kit's env schema); TEST_STREAM, TEST_GROUP and TEST_HANDLER say what to read and how to
// handle it. Each line of stdout is one event: "consumer <name>", "handling <id>", "handled <id>".
import { loadConfig, redisEnv, streamConsumerEnv, streamConsumerSettings } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createRedis } from '../../src/redis';
import { StreamConsumer } from '../../src/streams';

const config = loadConfig({ ...redisEnv, ...streamConsumerEnv }, process.env);
const streamConsumer = streamConsumerSettings(config);
const stream = process.env.TEST_STREAM ?? 'test:stream';
const group = process.env.TEST_GROUP ?? 'test';
const hang = process.env.TEST_HANDLER === 'hang';
const logger = createLogger('stream-consumer-process', process.env.TEST_LOG_LEVEL ?? 'silent');

const say = (line: string) => process.stdout.write(`${line}\n`);
const redis = createRedis('stream-consumer-process', { url: config.REDIS_URL, keyPrefix: '' }, logger);
const consumer = new StreamConsumer(
  redis,
  { stream, group, settings: streamConsumer, unavailableMessage: 'test stream unavailable', blockMs: 100 },
  async (entries) => {
    for (const { id } of entries) say(`handling ${id}`);
    // Until the test kills the process: read, never acknowledged.
    if (hang) await new Promise<never>(() => undefined);
    for (const { id } of entries) say(`handled ${id}`);
  },
  logger,
);
say(`consumer ${consumer.name}`);
consumer.start();
process.once('SIGTERM', () => void consumer.stop().then(() => process.exit(0)));
