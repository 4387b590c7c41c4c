import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// A frontend copies schema/client/ into its own sources (an ES module package) and compiles it
// with its own TypeScript settings: the generated client must compile under both module
// resolutions a TypeScript project uses today.

const ROOT = resolve(__dirname, '../..');
const TSC = resolve(ROOT, 'node_modules/typescript/bin/tsc');
const made: string[] = [];

afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const CONSUMER = `import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { graphql } from './gql/index.js';
import { MeDocument, type MeQuery, type MeQueryVariables } from './gql/graphql.js';

export const me: TypedDocumentNode<MeQuery, MeQueryVariables> = MeDocument;
export const tag: typeof graphql = graphql;
export const email = (result: MeQuery): string | undefined => result.me?.email;
`;

/** A consumer project: its package.json, the copied client, one file using it; `tsc` on it. */
function compile(compilerOptions: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ott-client-'));
  made.push(dir);
  cpSync(resolve(ROOT, 'schema/client'), join(dir, 'src/gql'), { recursive: true });
  symlinkSync(resolve(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  writeFileSync(join(dir, 'src/main.ts'), CONSUMER);
  const options = { strict: true, noEmit: true, skipLibCheck: true, types: [], target: 'es2022', ...compilerOptions };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, include: ['src'] }));
  try {
    return execFileSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8' });
  } catch (error) {
    return (error as { stdout: string }).stdout || String(error);
  }
}

describe('the generated client (schema/client/)', () => {
  it('compiles under moduleResolution NodeNext', () => {
    expect(compile({ module: 'nodenext', moduleResolution: 'nodenext' })).toBe('');
  });

  it('compiles under moduleResolution bundler', () => {
    expect(compile({ module: 'esnext', moduleResolution: 'bundler' })).toBe('');
  });
});
