import 'reflect-metadata';

export * from './auth';
export * from './cache';
export * from './compose';
export * from './config';
export * from './context';
export * from './entity-client';
export * from './cursor';
export * from './errors';
export * from './health';
export * from './http';
export * from './logger';
export * from './mongo';
export * from './rate-limit';
export * from './redis';
export * from './rules';
export * from './service';
export * from './subgraph';
