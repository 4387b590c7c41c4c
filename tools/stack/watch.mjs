// `pnpm dev`: what restarts a service. Node's own --watch is not used: it follows every module a
// process loads, node_modules included, whose files pnpm hard-links from one store into every
// checkout on the machine, so another checkout's install restarts every service here.
import { unwatchFile, watch, watchFile } from 'node:fs';
import { join } from 'node:path';

const SOURCE = /\.(ts|mts|js|mjs|json|graphql)$/;

/**
 * Calls `onChange(path)` once a burst of changes settles: a source file under any of `dirs`
 * (recursively) or any of `files` (polled, so a file replaced by a rename is still followed).
 * Returns a function that stops watching.
 */
export function watchSources({ dirs = [], files = [] }, onChange, settleMs = 300) {
  let timer;
  const changed = (path) => {
    clearTimeout(timer);
    timer = setTimeout(() => onChange(path), settleMs);
  };
  const watchers = dirs.map((dir) =>
    watch(dir, { recursive: true }, (_event, file) => {
      if (file && SOURCE.test(file)) changed(join(dir, file));
    }),
  );
  const polled = files.map((file) => {
    const listener = (current, previous) => {
      if (current.mtimeMs !== previous.mtimeMs) changed(file);
    };
    watchFile(file, { interval: 1_000 }, listener);
    return () => unwatchFile(file, listener);
  });
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
    for (const stop of polled) stop();
  };
}
