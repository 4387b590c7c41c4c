// Keeps the stack's services running: a service that exits without being asked to (a crash, an
// OOM kill, a SIGKILL) is started again after a delay that doubles with each crash in a row
// (0.5 s, 1 s, 2 s … up to 30 s) and starts over once it has stayed up a while, and every
// restart is said on the console. Stopping (Ctrl-C, SIGTERM) ends the restarts first, then
// stops every service.

const formatDelay = (ms) => `${Number((ms / 1000).toFixed(1))} s`;

/**
 * `launch` starts a service's process (a ChildProcess). Options: `log` (one line per event),
 * `initialDelayMs`, `maxDelayMs`, `stableAfterMs` (uptime after which a crash is a first one again).
 */
export function createSupervisor({ log = console.error, initialDelayMs = 500, maxDelayMs = 30_000, stableAfterMs = 30_000 } = {}) {
  /** label → { launch, child, startedAt, delay, timer, replacing } */
  const services = new Map();
  let stopping = false;

  function run(label) {
    const service = services.get(label);
    service.timer = undefined;
    if (stopping) return;
    const child = service.launch();
    service.child = child;
    service.startedAt = Date.now();
    child.once('exit', (code, signal) => exited(label, child, code, signal));
  }

  function exited(label, child, code, signal) {
    const service = services.get(label);
    if (stopping || service.child !== child) return;
    if (service.replacing) {
      service.replacing = false;
      return run(label);
    }
    if (Date.now() - service.startedAt >= stableAfterMs) service.delay = initialDelayMs;
    const wait = service.delay;
    service.delay = Math.min(wait * 2, maxDelayMs);
    log(`${label} exited with ${signal ? `signal ${signal}` : `code ${code}`}; restarting in ${formatDelay(wait)}`);
    service.timer = setTimeout(() => run(label), wait);
  }

  const running = (child) => child && child.exitCode === null && child.signalCode === null;

  return {
    /** Starts a service and keeps it running. */
    add(label, launch) {
      services.set(label, { launch, child: undefined, startedAt: 0, delay: initialDelayMs, timer: undefined, replacing: false });
      run(label);
    },

    /** The service's current process (undefined while it waits to be restarted). */
    child(label) {
      const child = services.get(label)?.child;
      return running(child) ? child : undefined;
    },

    /** Stops a service as on SIGTERM and starts it again at once (watch mode: its files changed). */
    restart(label) {
      const service = services.get(label);
      if (!service || stopping || service.replacing) return;
      if (service.timer) {
        clearTimeout(service.timer);
        return run(label);
      }
      if (!running(service.child)) return run(label);
      service.replacing = true;
      service.child.kill('SIGTERM');
    },

    /** Ends the restarts, then stops every service (last started first) and waits for them. */
    async stopAll() {
      stopping = true;
      const all = [...services.values()];
      for (const service of all) clearTimeout(service.timer);
      await Promise.all(
        all.reverse().map(
          ({ child }) =>
            new Promise((resolve) => {
              if (!running(child)) return resolve();
              child.once('exit', resolve);
              child.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
