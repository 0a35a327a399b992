/**
 * A lighter load generator for the `workers` scenario: `wrk` (Debian's package), driven
 * through the same protocol as lib/load.mjs (warm-up, {"event":"warm"}, a line on stdin,
 * the measured phase, {"event":"result", ...}).
 *
 * Why: on a 2-core machine autocannon needs most of a core to drive ~5,000 req/s, so
 * two workers never get two cores and "two workers / one" measures the load generator.
 * wrk is C on epoll and needs a fraction of that, so both workers and wrk can share
 * every core. It checks no bodies (the scenario's prepare() checked one response) and
 * counts non-2xx answers and socket errors as failures.
 *
 *   node lib/wrk-load.mjs '<json spec>'   (spec as lib/load.mjs; bodiesFile is not supported)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const spec = JSON.parse(process.argv[2]);
if (spec.bodiesFile) {
  console.error('wrk-load: bodiesFile is not supported; use lib/load.mjs');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-wrk-'));
const script = join(dir, 'request.lua');
const lua = (s) => JSON.stringify(String(s)); // a JSON string is a valid Lua string literal for ASCII
writeFileSync(
  script,
  [
    `wrk.method = ${lua(spec.method)}`,
    ...Object.entries(spec.headers ?? {}).map(([name, value]) => `wrk.headers[${lua(name)}] = ${lua(value)}`),
    ...(spec.body !== undefined ? [`wrk.body = ${lua(spec.body)}`] : []),
    // One summary line wrk's own output does not give in a parseable form.
    'done = function(summary, latency, requests)',
    '  io.write(string.format("WRK_JSON {\\"requests\\":%d,\\"duration_us\\":%d,\\"connect\\":%d,\\"read\\":%d,\\"write\\":%d,\\"status\\":%d,\\"timeout\\":%d,\\"p50\\":%d,\\"p99\\":%d,\\"max\\":%d}\\n",',
    '    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,',
    '    latency:percentile(50), latency:percentile(99), latency.max))',
    'end',
  ].join('\n'),
);

function run(seconds) {
  const args = ['-t1', `-c${spec.connections}`, `-d${Math.max(1, Math.round(seconds))}s`, '--timeout', '10s', '-s', script, spec.url];
  const out = spawnSync('wrk', args, { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`wrk exited ${out.status}: ${out.stderr || out.stdout}`);
  const line = out.stdout.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (!line) throw new Error(`wrk printed no summary:\n${out.stdout}`);
  return JSON.parse(line.slice('WRK_JSON '.length));
}

const say = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
try {
  if (spec.warmupSeconds > 0) run(spec.warmupSeconds);
  say({ event: 'warm' });
  const lines = createInterface({ input: process.stdin });
  await new Promise((resolve) => lines.once('line', resolve));
  lines.close();
  // wrk runs as a child: its CPU is read from this process's children usage.
  const { children: before } = cpuOfChildren();
  const summary = run(spec.seconds);
  const { children: after } = cpuOfChildren();
  const seconds = summary.duration_us / 1e6;
  const errors = summary.connect + summary.read + summary.write;
  say({
    event: 'result',
    seconds,
    responses: summary.requests,
    ok: summary.requests - summary.status,
    statusCodes: {},
    non2xx: summary.status,
    errors,
    timeouts: summary.timeout,
    mismatches: 0,
    samples: [],
    p50ms: summary.p50 / 1000,
    p99ms: summary.p99 / 1000,
    maxms: summary.max / 1000,
    loaderCpuPercent: ((after - before) / 1e6 / seconds) * 100,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** CPU µs used by this process's waited-for children (wrk), from /proc/self/stat. */
function cpuOfChildren() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // cutime and cstime are fields 16 and 17 (fields[13], fields[14] here), in clock ticks (100/s).
  return { children: ((Number(fields[13]) + Number(fields[14])) / 100) * 1e6 };
}
