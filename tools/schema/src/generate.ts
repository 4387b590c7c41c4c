// Writes schema/<subgraph>.graphql, schema/supergraph.graphql and schema/api.graphql from the
// subgraphs' code (`write`), or fails when the committed files differ or do not compose (`check`).
import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { codegen } from '@graphql-codegen/core';
import * as typescriptPlugin from '@graphql-codegen/typescript';
import { buildSchema, parse, printSchema } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { withSubscriptions } from '@ott/gateway/api-schema';
import { composeSupergraph } from '@ott/gateway/compose';
import { subgraphSdls } from './subgraphs';

const ROOT = resolve(__dirname, '../../..');
const SCHEMA_DIR = resolve(ROOT, 'schema');

interface CodegenConfig {
  generates: Record<string, { plugins: string[]; config?: Record<string, unknown> }>;
}

const codegenPlugins = { typescript: typescriptPlugin };

/** Client types from the API schema, as configured in codegen.yml (outputs inside schema/). */
async function generateClientTypes(apiSchemaSdl: string): Promise<Map<string, string>> {
  const config = parseYaml(await readFile(resolve(ROOT, 'codegen.yml'), 'utf8')) as CodegenConfig;
  const outputs = new Map<string, string>();
  for (const [target, { plugins, config: pluginConfig = {} }] of Object.entries(config.generates)) {
    if (!target.startsWith('schema/')) throw new Error(`codegen.yml: outputs belong in schema/, got ${target}`);
    const unknown = plugins.filter((name) => !(name in codegenPlugins));
    if (unknown.length) throw new Error(`codegen.yml: unsupported plugins ${unknown.join(', ')}`);
    const output = await codegen({
      filename: target,
      schema: parse(apiSchemaSdl),
      documents: [],
      config: pluginConfig,
      plugins: plugins.map((name) => ({ [name]: {} })),
      pluginMap: codegenPlugins,
    });
    outputs.set(target.slice('schema/'.length), output);
  }
  return outputs;
}

export async function generateSchemaFiles(): Promise<Map<string, string>> {
  const subgraphs = await subgraphSdls();
  const composed = composeSupergraph(subgraphs);
  const { supergraphSdl } = composed;
  // What clients see: the composed API plus the gateway's own Subscription type (never composed).
  const apiSchemaSdl = printSchema(withSubscriptions(buildSchema(composed.apiSchemaSdl)));
  const files = new Map<string, string>();
  for (const { name, sdl } of subgraphs) files.set(`${name}.graphql`, `${sdl.trim()}\n`);
  files.set('supergraph.graphql', `${supergraphSdl.trim()}\n`);
  files.set('api.graphql', `${apiSchemaSdl.trim()}\n`);
  for (const [file, content] of await generateClientTypes(apiSchemaSdl)) files.set(file, `${content.trim()}\n`);
  return files;
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
  if (stale.length > 0) {
    console.error(`Stale generated schema: ${stale.join(', ')}. Run "pnpm schema" and commit the result.`);
    process.exit(1);
  }
  console.log(mode === 'write' ? `wrote ${files.size} files to schema/` : `schema/ is current and composes (${files.size} files)`);
}

if (require.main === module) {
  main(process.argv[2]).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
