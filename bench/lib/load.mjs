/**
 * The load generator, run as its own process (pinned to its own core by run.mjs):
 * autocannon with N keep-alive connections sending one fixed request.
 *
 *   node lib/load.mjs '<json spec>'
 *   spec: { url, method, headers, body, bodiesFile?, connections, warmupSeconds, seconds, verify }
 *   bodiesFile: a file of request bodies, one a line, sent in turn instead of `body`
 *               (e.g. introspection of a different token each time)
 *   verify: 'jwt' | 'token' | 'active' | 'none' (a cheap check of every 2xx body)
 *
 * Protocol on stdout, one JSON line each: after the warm-up {"event":"warm"}; it then
 * waits for a line on stdin (the parent reads the server's CPU time meanwhile), runs
 * the measured phase and prints {"event":"result", ...}.
 */
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const spec = JSON.parse(process.argv[2]);
const bodies = spec.bodiesFile ? readFileSync(spec.bodiesFile, 'utf8').split('\n').filter(Boolean) : undefined;
let nextBody = 0;

const VERIFY = {
  jwt: (body) => body.includes('"access_token":"eyJ'),
  token: (body) => body.includes('"access_token":"'),
  active: (body) => body.includes('"active":true'),
  none: undefined,
};

function run(seconds, record) {
  return new Promise((resolve, reject) => {
    let latencies = new Float64Array(1 << 16);
    let n = 0;
    const samples = [];
    const request = {
      method: spec.method,
      path: new URL(spec.url).pathname,
      headers: spec.headers,
      body: spec.body,
      ...(bodies
        ? {
            setupRequest(req) {
              const body = bodies[nextBody++ % bodies.length];
              return { ...req, body };
            },
          }
        : {}),
      // Keep the first few unexpected bodies, to say what went wrong.
      onResponse(status, body) {
        if ((status < 200 || status >= 300) && samples.length < 3) samples.push({ status, body: String(body).slice(0, 300) });
      },
    };
    const verifyBody = VERIFY[spec.verify ?? 'none'];
    const instance = autocannon(
      {
        url: new URL(spec.url).origin,
        connections: spec.connections,
        pipelining: 1,
        duration: seconds,
        timeout: 10,
        requests: [request],
        ...(verifyBody ? { verifyBody } : {}),
      },
      (error, result) => {
        if (error) return reject(error);
        const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
        resolve({ result, latencies: latencies.subarray(0, n), samples, elapsed });
      },
    );
    const started = process.hrtime.bigint();
    if (record) {
      instance.on('response', (_client, _status, _bytes, responseTime) => {
        if (n === latencies.length) {
          const bigger = new Float64Array(latencies.length * 2);
          bigger.set(latencies);
          latencies = bigger;
        }
        latencies[n++] = responseTime;
      });
    }
    instance.on('mismatch', (body) => {
      if (samples.length < 3) samples.push({ status: 'body mismatch', body: String(body).slice(0, 300) });
    });
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const say = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

if (spec.warmupSeconds > 0) await run(spec.warmupSeconds, false);
say({ event: 'warm' });
const lines = createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once('line', resolve));
lines.close();

const cpuBefore = process.cpuUsage();
const { result, latencies, samples, elapsed } = await run(spec.seconds, true);
const cpu = process.cpuUsage(cpuBefore);
const sorted = Float64Array.from(latencies).sort();
const codes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, v]) => [code, v.count]));
const ok = Object.entries(codes).reduce((sum, [code, count]) => (code >= 200 && code < 300 ? sum + count : sum), 0);
say({
  event: 'result',
  seconds: elapsed,
  responses: latencies.length,
  ok,
  statusCodes: codes,
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  mismatches: result.mismatches,
  samples,
  p50ms: percentile(sorted, 50),
  p99ms: percentile(sorted, 99),
  maxms: sorted.length ? sorted[sorted.length - 1] : NaN,
  loaderCpuPercent: ((cpu.user + cpu.system) / 1e6 / elapsed) * 100,
});
