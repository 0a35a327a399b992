/**
 * What the report says under a row besides its figures: a run other processes
 * disturbed (~), failed responses (!), a load generator at its limit, a server core
 * that waits rather than computes, and the floor lines built from them.
 */
import { fmt } from './format.mjs';

export function disturbedText(label, r) {
  if (!r.disturbed) return [];
  return [
    `(~) ${label}: other processes used ${fmt.int(r.foreignServerCorePercent)}% of the server core and ` +
      `${fmt.int(r.foreignLoaderCorePercent)}% of the load-generator core during this run; its figures are perturbed (run again on a quiet machine)`,
  ];
}

export function failureText(label, r) {
  if (r.error) return [`!!! ${label} FAILED, no figures: ${r.error.replace(/\n/g, '\n    ')}`];
  if (!r.failures) return disturbedText(label, r);
  const lines = [
    ...disturbedText(label, r),
    `!!! ${label}: ${r.failures} FAILED of ${r.responses} responses (non-2xx ${r.non2xx}, body mismatches ${r.mismatches}, ` +
      `connection errors ${r.errors}, timeouts ${r.timeouts}); status codes ${JSON.stringify(r.statusCodes)}. ` +
      'req/s counts 2xx only; latency and CPU include the failures: do not trust this row.',
  ];
  for (const s of r.failureSamples ?? []) lines.push(`    e.g. ${s.status}: ${s.body}`);
  return lines;
}

export function saturated(r) {
  const busy = Number.isFinite(r.serverCoreBusyPercent) ? r.serverCoreBusyPercent : r.serverCpuPercent;
  return busy >= 90;
}

export function floorLine(label, r) {
  return [
    `  ${label}: ${fmt.int(r.reqPerSec)} req/s, p50 ${fmt.ms(r.p50ms)} ms, p99 ${fmt.ms(r.p99ms)} ms, ` +
      `${fmt.int(r.cpuMicrosPerReq)} CPU µs/req, RSS ${fmt.one(r.rssIdleMB)} -> ${fmt.one(r.rssPeakMB)} MB`,
    `    (server process ${fmt.int(r.serverCpuPercent)}% of its core, core ${fmt.int(r.serverCoreBusyPercent)}% busy with interrupts; ` +
      `load generator ${fmt.int(r.loaderCpuPercent)}%` +
      `${saturated(r) ? ')' : '; the server core was not saturated: this req/s is bounded by the load generator, its CPU µs/req is the floor to compare)'}`,
    ...failureText(label, r).map((l) => `  ${l}`),
  ];
}

/** Notes under a table: a load generator at its limit, a server core that waits. */
export function notes(labelled, connections) {
  const out = [];
  for (const [label, r] of labelled.filter(([, r]) => !r.error)) {
    if (r.loaderCpuPercent > 90) {
      out.push(`  note: ${label}: the load generator used ${fmt.int(r.loaderCpuPercent)}% of its core; req/s may be bounded by it`);
    } else if (!saturated(r)) {
      out.push(`  note: ${label}: its core was only ${fmt.int(r.serverCoreBusyPercent)}% busy with ${connections} requests in flight: it waits (disk, locks) rather than computes`);
    }
  }
  for (const [label, r] of labelled) out.push(...failureText(label, r).map((l) => `  ${l}`));
  return out;
}
