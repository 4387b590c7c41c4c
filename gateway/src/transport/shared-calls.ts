import { ClientGone, type Answer, type Send, type SubgraphCall, type SubgraphHook } from './subgraph-call';

/** A call in flight that identical queries share, and how many of their callers still wait for it. */
interface SharedCall {
  answer: Promise<Answer>;
  waiters: number;
  controller: AbortController;
}

/**
 * Identical queries in flight at the same moment (same subgraph, same Authorization, same
 * body: the query with its variables and representations) are sent once and their answer is
 * shared; each caller parses its own copy, since the executor merges into what it gets.
 * Mutations are never shared. As in Hive Gateway and Apollo Router's deduplication, a caller
 * that joins a call in flight gets the answer of that call (which the subgraph logs under the
 * request id of the caller that made it).
 *
 * A caller whose client goes away stops waiting at once; the shared call is aborted once no
 * caller waits for it any more. One instance per subgraph: the calls in flight are its own.
 */
export function sharedCalls(): SubgraphHook {
  const inFlight = new Map<string, SharedCall>();

  /** The shared call's answer for one caller, who stops waiting when its client goes away. */
  function wait(key: string, call: SharedCall, signal: AbortSignal | undefined): Promise<Answer> {
    call.waiters += 1;
    if (!signal) return call.answer;
    return new Promise((resolve, reject) => {
      const leave = () => {
        call.waiters -= 1;
        if (call.waiters === 0) {
          if (inFlight.get(key) === call) inFlight.delete(key);
          call.controller.abort();
        }
        reject(new ClientGone());
      };
      signal.addEventListener('abort', leave, { once: true });
      call.answer.then(
        (answer) => {
          signal.removeEventListener('abort', leave);
          resolve(answer);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', leave);
          reject(error as Error);
        },
      );
    });
  }

  return {
    wrap:
      (send: Send): Send =>
      (call: SubgraphCall) => {
        if (call.mutation) return send(call);
        const signal = call.signal;
        if (signal?.aborted) return Promise.reject(new ClientGone());
        const key = `${call.context.authorization ?? ''}\n${call.body}`;
        let shared = inFlight.get(key);
        if (!shared) {
          const controller = new AbortController();
          // What is sent is now everyone's: only its last waiter leaving aborts it.
          call.signal = controller.signal;
          const created: SharedCall = { answer: send(call), waiters: 0, controller };
          const forget = () => {
            if (inFlight.get(key) === created) inFlight.delete(key);
          };
          created.answer.then(forget, forget);
          inFlight.set(key, (shared = created));
        }
        return wait(key, shared, signal);
      },
  };
}
