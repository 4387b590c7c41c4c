export const ROOT: string;
export const CONDITION: string;
export function compiledPackages(): { dir: string; manifest: { name: string; exports: Record<string, unknown> } }[];
export function compileWorkspace(): Promise<number>;
export function servicePackage(service: string): string;
export function deployService(service: string, target: string, options?: { offline?: boolean }): void;
