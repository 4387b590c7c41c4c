// Writes schema/<subgraph>.graphql, schema/supergraph.graphql and schema/api.graphql from the
// subgraphs' code, then what codegen.yml asks for from api.graphql with the GraphQL Code
// Generator CLI (`write`); or fails when the committed files differ from what they would be, or
// the subgraphs do not compose (`check`).
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { buildSchema, printSchema } from 'graphql';
import { composeSupergraph } from '@ott/gateway/compose';
import { withDefer } from '@ott/gateway/defer-schema';
import { subgraphSdls } from './subgraphs';

const ROOT = resolve(__dirname, '../../..');
const SCHEMA_DIR = resolve(ROOT, 'schema');

export async function generateSchemaFiles(): Promise<Map<string, string>> {
  const subgraphs = await subgraphSdls();
  const composed = composeSupergraph(subgraphs);
  const { supergraphSdl } = composed;
  // What clients see: the composed API (Subscription included: streaming declares it) plus @defer.
  const apiSchemaSdl = printSchema(withDefer(buildSchema(composed.apiSchemaSdl)));
  const files = new Map<string, string>();
  for (const { name, sdl } of subgraphs) files.set(`${name}.graphql`, `${sdl.trim()}\n`);
  files.set('supergraph.graphql', `${supergraphSdl.trim()}\n`);
  files.set('api.graphql', `${apiSchemaSdl.trim()}\n`);
  return files;
}

/**
 * The codegen CLI exactly as `pnpm codegen` runs it, from the root over the committed
 * schema/api.graphql; `--check` writes nothing and fails when an output would change.
 */
function runCodegen(check: boolean): boolean {
  const cli = resolve(ROOT, 'node_modules/.bin/graphql-codegen');
  const args = ['--config', 'codegen.yml', ...(check ? ['--check'] : ['--errors-only'])];
  return spawnSync(cli, args, { cwd: ROOT, stdio: 'inherit' }).status === 0;
}

async function main(mode: string | undefined): Promise<void> {
  const files = await generateSchemaFiles();
  const stale: string[] = [];
  for (const [file, content] of files) {
    const path = resolve(SCHEMA_DIR, file);
    if (mode === 'write') {
      await writeFile(path, content);
    } else {
      const committed = await readFile(path, 'utf8').catch(() => '');
      if (committed !== content) stale.push(`schema/${file}`);
    }
  }
  // Codegen reads schema/api.graphql: checked against a stale one, it would prove nothing.
  if (stale.length === 0 && !runCodegen(mode !== 'write')) {
    if (mode === 'write') throw new Error('graphql-codegen failed (codegen.yml): see above');
    stale.push('the outputs of codegen.yml listed above');
  }
  if (stale.length > 0) {
    console.error(`Stale generated schema: ${stale.join(', ')}. Run "pnpm schema" and commit the result.`);
    process.exit(1);
  }
  console.log(mode === 'write' ? `wrote ${files.size} schema files and codegen.yml's outputs to schema/` : `schema/ is current and composes (${files.size} schema files and codegen.yml's outputs)`);
}

if (require.main === module) {
  main(process.argv[2]).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
