// The data-growth bench's Markdown: a table per size and the curve across sizes.
import { cpus } from 'node:os';
import { formatCpu } from './cpu.mjs';

export const percentile = (sorted, p) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
export const fmt = (ms) => (Number.isNaN(ms) ? '–' : ms >= 100 ? String(Math.round(ms)) : ms.toFixed(1));

/** One size's table: every operation's latencies and errors, then the concurrent ratings. */
export function sizeTable(size, result, seeding, load, operations) {
  const { stats, throughput } = result;
  const lines = [
    `#### N = ${size.toLocaleString('en-US')} other members' rows per collection${seeding ? ` (${seeding})` : ''}`,
    '',
    `load average before measuring: ${load}`,
    '',
    '| operation | n | p50 ms | p99 ms | max ms | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  const notes = [];
  for (const op of operations) {
    const s = stats[op];
    if (s.ms.length === 0) continue;
    const sorted = [...s.ms].sort((a, b) => a - b);
    lines.push(`| ${op} | ${sorted.length} | ${fmt(percentile(sorted, 50))} | ${fmt(percentile(sorted, 99))} | ${fmt(sorted.at(-1))} | ${s.errors} |`);
    for (const [message, n] of s.messages) notes.push(`- ${op}: ${n} × ${message}`);
  }
  lines.push(
    '',
    `Concurrent ratings: ${throughput.requests} in ${throughput.seconds.toFixed(1)} s = ${throughput.perSecond.toFixed(1)} ratings/s (${stats[operations.at(-1)].errors} errors); CPU per rating by process: ${formatCpu(throughput.cpu)}.`,
  );
  if (notes.length > 0) lines.push('', 'Errors:', '', ...notes);
  return lines.join('\n');
}

/** Each operation's p50 at every size and the ratio of the last to the first. */
export function curve(results, operations) {
  const first = results[0];
  const last = results.at(-1);
  const header = [
    '| operation',
    ...results.map((r) => `p50 ms @ ${r.size.toLocaleString('en-US')}`),
    `× (${last.size.toLocaleString('en-US')} ÷ ${first.size.toLocaleString('en-US')}) |`,
  ];
  const lines = [header.join(' | '), `| --- | ${results.map(() => '---:').join(' | ')} | ---: |`];
  const ratios = [];
  for (const op of operations) {
    const p50s = results.map((r) =>
      percentile(
        [...r.stats[op].ms].sort((a, b) => a - b),
        50,
      ),
    );
    if (p50s.every(Number.isNaN)) continue;
    const ratio = p50s.at(-1) / p50s[0];
    if (Number.isFinite(ratio)) ratios.push([op, ratio]);
    lines.push(`| ${op} | ${p50s.map(fmt).join(' | ')} | ${Number.isFinite(ratio) ? ratio.toFixed(1) : '–'} |`);
  }
  const tput = results.map((r) => r.throughput.perSecond);
  lines.push(`| ${operations.at(-1)}: ratings/s | ${tput.map((t) => t.toFixed(1)).join(' | ')} | ${(tput.at(-1) / tput[0]).toFixed(2)} |`);
  ratios.sort((a, b) => a[1] - b[1]);
  const median = ratios.length ? ratios[Math.floor(ratios.length / 2)][1] : NaN;
  const worst = ratios.at(-1);
  lines.push(
    '',
    `Curve: at N = ${last.size.toLocaleString('en-US')} an operation's p50 is ${median.toFixed(1)}× (median over operations) its p50 at N = ${first.size.toLocaleString('en-US')}; ` +
      `worst ${worst?.[0]} (${worst?.[1].toFixed(1)}×); concurrent ratings ${tput.at(-1).toFixed(1)} vs ${tput[0].toFixed(1)} per second.`,
  );
  return lines.join('\n');
}

/** The whole run as a Markdown block for bench/RESULTS.md: the command, the machine, seeding, a table per size and the curve. */
export function growthMarkdown({ command, pushdown, samples, budgetMs, batch, runMinutes, seedingRows, results, operations, warmupErrors }) {
  const cpu = cpus();
  return [
    `### Data growth: one member's operations as other members' data grows`,
    '',
    '```',
    command,
    '```',
    '',
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; embedded FerretDB${pushdown === undefined ? '' : `, mongoPushdown ${pushdown}`}; ` +
      `${samples} samples per operation (fewer past a ${budgetMs / 1000} s budget), p99 of so few samples is about the maximum; whole run ${runMinutes.toFixed(1)} min.`,
    '',
    'Seeding (insertMany, batches of ' + batch + '):',
    '',
    '| N | collection | documents | s | docs/s |',
    '| ---: | --- | ---: | ---: | ---: |',
    ...seedingRows.map((r) => `| ${r.size} | ${r.collection} | ${r.docs} | ${r.seconds.toFixed(1)} | ${Math.round(r.docs / Math.max(r.seconds, 0.001))} |`),
    '',
    ...results.flatMap((r) => [sizeTable(r.size, r, r.seeding, r.load, operations), `(measured in ${r.seconds.toFixed(0)} s)`, '']),
    results.length > 1 ? curve(results, operations) : '',
    ...(warmupErrors.length > 0 ? ['', 'Errors in the untimed warm-up round:', '', ...warmupErrors] : []),
  ].join('\n');
}
