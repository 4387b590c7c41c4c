export function pinnedPnpm(root?: string): string;
export function pnpmCommand(root?: string, env?: NodeJS.ProcessEnv): string[];
export function run(command: string, args: string[], options?: import('node:child_process').ExecFileSyncOptions): void;
export function bootstrap(): (args: string[], options?: import('node:child_process').ExecFileSyncOptions) => void;
