import type { ChildProcess } from 'node:child_process';

export interface Supervisor {
  add(label: string, launch: () => ChildProcess): void;
  child(label: string): ChildProcess | undefined;
  restart(label: string): void;
  stopAll(): Promise<void>;
}
export function createSupervisor(options?: { log?: (line: string) => void; initialDelayMs?: number; maxDelayMs?: number; stableAfterMs?: number }): Supervisor;
