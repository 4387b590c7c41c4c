// CPU time by process, read from /proc (Linux): what one request costs the gateway, each
// subgraph, the database and Redis, whatever else the machine is doing at the time.
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

/** User plus system CPU milliseconds a process has used so far; null once it is gone. */
function cpuMsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces, in parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [utime, stime] = [Number(fields[11]), Number(fields[12])];
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Every named process's CPU milliseconds so far: `{ gateway: 1234, ratings: 567, … }`. */
export function cpuSnapshot(processes) {
  return Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuMsOf(pid)]));
}

/** CPU milliseconds per request by process between two snapshots, plus their `total`. */
export function cpuPerRequest(before, after, requests) {
  const perRequest = {};
  for (const [name, ms] of Object.entries(after)) {
    if (ms === null || before[name] === null || before[name] === undefined) continue;
    perRequest[name] = (ms - before[name]) / Math.max(requests, 1);
  }
  perRequest.total = Object.values(perRequest).reduce((sum, ms) => sum + ms, 0);
  return perRequest;
}

/** "total 21.3 ms: database 8.1, gateway 4.2, …", largest first, processes under 0.05 ms left out. */
export function formatCpu(perRequest) {
  const { total, ...byProcess } = perRequest;
  const parts = Object.entries(byProcess)
    .filter(([, ms]) => ms >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${ms.toFixed(1)}`);
  return `total ${total.toFixed(1)} ms: ${parts.join(', ')}`;
}

/**
 * Waits until the named processes are nearly idle together (under `idleMs` of CPU per
 * half-second, all processes summed), at most `maxMs`: what an earlier run or the set-up left
 * (stream consumers catching up, the database checkpointing, a full GC) is then not billed to
 * the next run. Answers how long it waited.
 */
export async function settle(processes, { idleMs = 25, maxMs = 20_000 } = {}) {
  const started = Date.now();
  let before = cpuSnapshot(processes);
  while (Date.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = cpuSnapshot(processes);
    const busy = Object.entries(after).reduce((sum, [name, ms]) => sum + (ms === null || before[name] === null ? 0 : ms - before[name]), 0);
    if (busy < idleMs) break;
    before = after;
  }
  return Date.now() - started;
}
