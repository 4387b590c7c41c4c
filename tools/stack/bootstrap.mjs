// Installs what the project needs from a fresh clone: pnpm (pinned by package.json's
// packageManager), the workspace's dependencies and the embedded database binary.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, ensureEmbeddedMongo } from './services.mjs';

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

/** The pnpm version package.json's packageManager pins. */
export const pinnedPnpm = (root = ROOT) => readJson(join(root, 'package.json')).packageManager.split('@')[1];

/**
 * The command that runs the pinned pnpm, asking no registry once the workspace is installed:
 * the workspace's own (pnpm is a devDependency, so the first install leaves it in
 * node_modules), else one on the PATH of the pinned version, else (a fresh clone, only Node and
 * npm) through npx, which fetches it once.
 */
export function pnpmCommand(root = ROOT, env = process.env) {
  const version = pinnedPnpm(root);
  try {
    const installed = readJson(join(root, 'node_modules/pnpm/package.json'));
    if (installed.version === version) return [process.execPath, join(root, 'node_modules/pnpm', installed.bin.pnpm)];
  } catch {
    // Not installed yet.
  }
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8', env });
  if (probe.status === 0 && probe.stdout.trim() === version) return ['pnpm'];
  return ['npx', '--yes', `pnpm@${version}`];
}

export function run(command, args, options = {}) {
  execFileSync(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
}

export function bootstrap() {
  const [pnpm, ...prefix] = pnpmCommand();
  const frozen = process.env.CI ? ['--frozen-lockfile'] : [];
  run(pnpm, [...prefix, 'install', '--prefer-offline', ...frozen]);
  ensureEmbeddedMongo();
  return (args, options) => run(pnpm, [...prefix, ...args], options);
}
