// Installs what the project needs from a fresh clone: pnpm (pinned by package.json's
// packageManager), the workspace's dependencies and the embedded database binary.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, ensureEmbeddedMongo } from './services.mjs';

const PNPM_VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).packageManager.split('@')[1];

/** The command that runs the pinned pnpm: the installed one if it matches, else through npx. */
export function pnpmCommand() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0 && probe.stdout.trim() === PNPM_VERSION) return ['pnpm'];
  return ['npx', '--yes', `pnpm@${PNPM_VERSION}`];
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
