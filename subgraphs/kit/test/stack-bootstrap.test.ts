import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// `npm start` and `npm test` install pnpm themselves; once installed they must not ask a
// registry for it again (npx did, on every start: ~78 s stalled without one), and the README's
// commands must run with what a fresh clone has, Node and npm.

const ROOT = resolve(__dirname, '../../..');
const bootstrapModule = () => import('../../../tools/stack/bootstrap.mjs');
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A checkout pinning pnpm `pinned`, with `installed` (if any) in its node_modules. */
function checkout(pinned: string, installed?: string): string {
  const root = mkdtempSync(join(tmpdir(), 'ott-bootstrap-'));
  made.push(root);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ packageManager: `pnpm@${pinned}` }));
  if (installed) {
    mkdirSync(join(root, 'node_modules/pnpm/bin'), { recursive: true });
    writeFileSync(join(root, 'node_modules/pnpm/package.json'), JSON.stringify({ name: 'pnpm', version: installed, bin: { pnpm: 'bin/pnpm.cjs' } }));
  }
  return root;
}

/** No pnpm on the PATH: only node's own directory. */
const bareEnv = { ...process.env, PATH: resolve(process.execPath, '..') };

describe("the stack's bootstrap", () => {
  it("runs the workspace's own pnpm once installed, and it answers with no registry reachable", async () => {
    const { pinnedPnpm, pnpmCommand } = await bootstrapModule();
    const [command, ...args] = pnpmCommand(ROOT, bareEnv);
    expect([command, ...args]).toEqual([process.execPath, join(ROOT, 'node_modules/pnpm/bin/pnpm.cjs')]);
    const offline = { ...bareEnv, npm_config_registry: 'http://127.0.0.1:9/', npm_config_offline: 'true' };
    expect(execFileSync(command!, [...args, '--version'], { encoding: 'utf8', env: offline }).trim()).toBe(pinnedPnpm(ROOT));
  });

  it('prefers an installed pnpm of the pinned version, and falls back to npx on a fresh clone', async () => {
    const { pnpmCommand } = await bootstrapModule();
    const installed = checkout('9.9.9', '9.9.9');
    expect(pnpmCommand(installed, bareEnv)).toEqual([process.execPath, join(installed, 'node_modules/pnpm/bin/pnpm.cjs')]);
    expect(pnpmCommand(checkout('9.9.9', '9.9.8'), bareEnv)).toEqual(['npx', '--yes', 'pnpm@9.9.9']);
    expect(pnpmCommand(checkout('9.9.9'), bareEnv)).toEqual(['npx', '--yes', 'pnpm@9.9.9']);
  });

  it('installs pnpm as a devDependency of the pinned version, so node_modules has it after the first install', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { packageManager: string; devDependencies: Record<string, string> };
    expect(pkg.devDependencies.pnpm).toBe(pkg.packageManager.split('@')[1]);
  });

  it("lets the README's commands run with npm: no bare pnpm command a fresh machine lacks", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const commands = [...readme.matchAll(/`([^`\n]+)`|^(?:\s*)((?:pnpm|npm|npx)\b[^\n#]*)/gm)].map((m) => (m[1] ?? m[2])!.trim());
    expect(commands.filter((command) => /^pnpm\b/.test(command))).toEqual([]);
    expect(commands).toContain('npm run dev');
    expect(commands).toContain('npm run codegen');
  });
});
