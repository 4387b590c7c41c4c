// `pnpm build`: compiles the gateway's, every subgraph's, the kit's and packages/*' TypeScript to CommonJS
// in <package>/dist with SWC, the compiler the tests use, so decorator metadata (type-graphql,
// typegoose) is emitted the same way. `node tools/build/build.mjs deploy <service> <dir>` then
// writes one service with its production dependencies only into <dir>: the Dockerfile's build
// stage and e2e/test/production-image.test.ts run exactly these two steps.
//
// Compiled code finds compiled code through the `ott-compiled` condition of each package's
// `exports` (node --conditions=ott-compiled, set by the image); without it every import
// resolves to the TypeScript sources, as dev, tests and the type check need.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformFile } from '@swc/core';
import { pnpmCommand } from '../stack/bootstrap.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CONDITION = 'ott-compiled';

// The options of vitest.config.mts's SWC plugin, for CommonJS on Node 20+.
const SWC_OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: true,
  swcrc: false,
  configFile: false,
};

/** Workspace packages that ship compiled code: those whose exports name the condition. */
export function compiledPackages() {
  const candidates = ['gateway', ...['subgraphs', 'packages'].flatMap((parent) => readdirSync(join(ROOT, parent)).map((name) => `${parent}/${name}`))];
  return candidates
    .filter((dir) => existsSync(join(ROOT, dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => Object.values(manifest.exports ?? {}).some((target) => typeof target === 'object' && CONDITION in target));
}

function sourceFiles(dir) {
  return (
    readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
      .map((entry) => join(entry.parentPath, entry.name))
      // Test helpers import vitest and never run in production.
      .filter((file) => !relative(dir, file).startsWith('testing'))
  );
}

/** Compiles src/ of every such package into dist/ (emptied first); returns the files written. */
export async function compileWorkspace() {
  let written = 0;
  for (const { dir, manifest } of compiledPackages()) {
    const src = join(ROOT, dir, 'src');
    const dist = join(ROOT, dir, 'dist');
    rmSync(dist, { recursive: true, force: true });
    await Promise.all(
      sourceFiles(src).map(async (file) => {
        const out = join(dist, relative(src, file)).replace(/\.ts$/, '.js');
        const { code, map } = await transformFile(file, { ...SWC_OPTIONS, filename: file, outputPath: out, sourceFileName: relative(dirname(out), file) });
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out, `${code}\n//# sourceMappingURL=${out.split('/').pop()}.map\n`);
        if (map) writeFileSync(`${out}.map`, map);
        written++;
      }),
    );
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      const compiled = typeof target === 'object' ? target[CONDITION] : undefined;
      if (compiled && !existsSync(join(ROOT, dir, compiled))) throw new Error(`${dir}: export ${subpath} names ${compiled}, which the build did not write`);
    }
  }
  return written;
}

/** The workspace package of a service: `gateway`, or a subgraph's name. */
export function servicePackage(service) {
  const dir = service === 'gateway' ? 'gateway' : `subgraphs/${service}`;
  const entry = compiledPackages().find((p) => p.dir === dir);
  if (!entry || service === 'kit') throw new Error(`no service "${service}": gateway or one of subgraphs/*`);
  return entry.manifest.name;
}

/**
 * `pnpm deploy --prod`: the service's `files` (dist/) and its production dependencies, the
 * workspace's own (the kit, @ott/events) copied in with their dist/, resolved from the lockfile. pnpm 10
 * deploys without --legacy only with injected workspace packages, so that is set for this
 * command alone (the workspace itself keeps linking its packages). pnpm 10 ignores
 * `publishConfig` here, hence the export condition. The gateway also gets the supergraph
 * and, beside it, the trusted-documents manifest (GATEWAY_TRUSTED_DOCUMENTS_PATH's default).
 */
export function deployService(service, target, { offline = true } = {}) {
  const [pnpm, ...prefix] = pnpmCommand();
  rmSync(target, { recursive: true, force: true });
  const args = [
    ...prefix,
    '--filter',
    servicePackage(service),
    '--prod',
    '--config.inject-workspace-packages=true',
    'deploy',
    ...(offline ? ['--offline'] : []),
    target,
  ];
  execFileSync(pnpm, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  if (service === 'gateway') {
    mkdirSync(join(target, 'schema'), { recursive: true });
    writeFileSync(join(target, 'schema/supergraph.graphql'), readFileSync(join(ROOT, 'schema/supergraph.graphql')));
    mkdirSync(join(target, 'schema/client'), { recursive: true });
    writeFileSync(join(target, 'schema/client/persisted-documents.json'), readFileSync(join(ROOT, 'schema/client/persisted-documents.json')));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command = 'compile', ...rest] = process.argv.slice(2);
  if (command === 'compile') {
    const started = Date.now();
    const files = await compileWorkspace();
    console.log(`compiled ${files} files in ${Date.now() - started} ms`);
  } else if (command === 'deploy' && rest.length === 2) {
    deployService(rest[0], resolve(rest[1]));
    console.log(`deployed ${rest[0]} to ${rest[1]}`);
  } else {
    console.error('usage: node tools/build/build.mjs [compile] | deploy <gateway|subgraph> <directory>');
    process.exit(2);
  }
}
