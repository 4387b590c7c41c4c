// The data-growth bench's GraphQL client: every request timed and its failure counted by
// operation (HTTP status, GraphQL errors, timeouts), never thrown.

/** One operation's samples at one size: latencies of every attempt, errors and the first few messages. */
export function newStats(operations) {
  return Object.fromEntries(operations.map((op) => [op, { ms: [], errors: 0, messages: new Map() }]));
}

export function timedClient(gateway, stats, timeoutMs) {
  /** One timed request; never throws: a failure is counted and its `data` is undefined. */
  return async function call(op, query, variables, token) {
    const started = performance.now();
    let data;
    let error;
    try {
      const response = await fetch(gateway, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (!response.ok) error = `HTTP ${response.status}${body?.errors ? ` ${body.errors[0]?.extensions?.code ?? ''} ${body.errors[0]?.message ?? ''}` : ''}`;
      else if (!body) error = 'not JSON';
      else if (body.errors?.length) error = `${body.errors[0].extensions?.code ?? 'ERROR'}: ${body.errors[0].message}`;
      data = body?.data;
    } catch (e) {
      error = e.name === 'TimeoutError' ? `timeout after ${timeoutMs / 1000} s` : `${e.name}: ${e.message}`;
    }
    const ms = performance.now() - started;
    const s = stats[op];
    s.ms.push(ms);
    if (error) {
      s.errors += 1;
      const key = error.slice(0, 160);
      s.messages.set(key, (s.messages.get(key) ?? 0) + 1);
    }
    return { data: error ? undefined : data, error, ms };
  };
}

/**
 * Runs `sample(i)` up to `count` times, stopping early once `budgetMs` has passed and
 * `minSamples` are in (a slow database cannot hold the run for hours); reports how many ran.
 */
export async function sampled(label, count, sample, { budgetMs, minSamples, log }) {
  const started = performance.now();
  let i = 0;
  for (; i < count; i++) {
    if (i >= minSamples && performance.now() - started > budgetMs) break;
    await sample(i);
  }
  log(`  ${label}: ${i} samples in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
