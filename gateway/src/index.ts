import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { createLogger, runService, type Service } from '@ott/kit';
import { gatewayConfig } from './config';
import { createServer } from './server';

/** config → supergraph → serve. `supergraphSdl` lets tests compose one for their own ports. */
export async function start(env: NodeJS.ProcessEnv, supergraphSdl?: string): Promise<Service> {
  const config = gatewayConfig(env);
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const sdl = supergraphSdl ?? (await readFile(config.SUPERGRAPH_PATH, 'utf8'));
  const { app } = createServer({ config, supergraphSdl: sdl, logger });
  return app.listen(config.HOST, config.PORT);
}

if (require.main === module) runService('gateway', start);
