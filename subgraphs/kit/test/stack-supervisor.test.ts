import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
type Supervisor = import('../../../tools/stack/supervisor.mjs', { with: { 'resolution-mode': 'import' } }).Supervisor;

/** A real service-like process: runs until it is signalled. */
const sleeper = () => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });

async function until<T>(check: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never happened: ${what}`);
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

describe("the stack's supervisor", () => {
  let supervisor: Supervisor | undefined;
  afterEach(async () => supervisor?.stopAll());

  it('starts a killed service again with a growing delay and says so, and stops every service when asked', async () => {
    const { createSupervisor } = await import('../../../tools/stack/supervisor.mjs');
    const lines: string[] = [];
    supervisor = createSupervisor({ log: (line) => lines.push(line), initialDelayMs: 100, maxDelayMs: 400, stableAfterMs: 60_000 });
    supervisor.add('ratings', sleeper);
    supervisor.add('catalog', sleeper);
    const first = supervisor.child('ratings')!;
    const neighbour = supervisor.child('catalog')!;

    first.kill('SIGKILL');
    const second = await until(() => (supervisor!.child('ratings') !== first ? supervisor!.child('ratings') : undefined), 'ratings back');
    expect(second.pid).not.toBe(first.pid);
    expect(lines).toEqual(['ratings exited with signal SIGKILL; restarting in 0.1 s']);
    // The others never noticed.
    expect(supervisor.child('catalog')).toBe(neighbour);

    // Crashing again at once: the delay doubles, up to its bound.
    second.kill('SIGKILL');
    const third = await until(
      () => (![first, second].includes(supervisor!.child('ratings')!) ? supervisor!.child('ratings') : undefined),
      'ratings back again',
    );
    third.kill('SIGKILL');
    await until(() => (lines.length === 3 ? true : undefined), 'third restart said');
    expect(lines.slice(1)).toEqual(['ratings exited with signal SIGKILL; restarting in 0.2 s', 'ratings exited with signal SIGKILL; restarting in 0.4 s']);
    const fourth = await until(
      () => (![first, second, third].includes(supervisor!.child('ratings')!) ? supervisor!.child('ratings') : undefined),
      'ratings back a third time',
    );

    await supervisor.stopAll();
    expect(exited(fourth)).toBe(true);
    expect(exited(neighbour)).toBe(true);
    expect(supervisor.child('ratings')).toBeUndefined();
  });

  it('starts a service over again at once when asked (watch mode), without counting it as a crash', async () => {
    const { createSupervisor } = await import('../../../tools/stack/supervisor.mjs');
    const lines: string[] = [];
    supervisor = createSupervisor({ log: (line) => lines.push(line), initialDelayMs: 100 });
    supervisor.add('users', sleeper);
    const first = supervisor.child('users')!;
    supervisor.restart('users');
    const second = await until(
      () => (supervisor!.child('users') && supervisor!.child('users') !== first ? supervisor!.child('users') : undefined),
      'users restarted',
    );
    expect(exited(first)).toBe(true);
    expect(first.signalCode).toBe('SIGTERM');
    expect(second.pid).not.toBe(first.pid);
    expect(lines).toEqual([]);
  });
});
