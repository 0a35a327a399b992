#!/usr/bin/env node
/**
 * Tessera vs oidc-provider, side by side, on this machine.
 *
 *   npm run bench                      # from the repository root (installs bench/, builds, runs)
 *   node bench/run.mjs [--json]        # after `npm run build` and `npm --prefix bench ci`
 *
 * Every server runs in its own child process, one after the other, pinned to CPU 0
 * (when `taskset` exists); the autocannon load runs in another child pinned to CPU 1.
 * See bench/README.md for what is measured and how the servers are configured.
 *
 * Environment: BENCH_SECONDS (measured seconds per run, default 5), BENCH_RETRIES
 * (re-runs of a run disturbed by other processes on the benchmark cores, default 1),
 * BENCH_WARMUP_SECONDS (default 1.5), BENCH_CONNECTIONS (default 50),
 * BENCH_ONLY (comma-separated scenario ids, e.g. "jwt,introspect").
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASIC, JWT_API, REF_API, tesseraConfigYaml, tokenRequestBody } from './lib/fixtures.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
const JSON_OUT = process.argv.includes('--json');
const SECONDS = positive('BENCH_SECONDS', 5);
const WARMUP_SECONDS = positive('BENCH_WARMUP_SECONDS', 1.5, true);
const CONNECTIONS = positive('BENCH_CONNECTIONS', 50);
const RETRIES = positive('BENCH_RETRIES', 1, true);
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined;
const SERVER_CPU = '0';
/**
 * Other processes' share of a benchmark core above which a run is flagged: any real
 * share of the server core skews its figures; the load generator's core has room.
 */
const DISTURBED_SERVER_PERCENT = 5;
const DISTURBED_LOADER_PERCENT = 15;
const LOADER_CPU = '1';

const NOT_YET_MEASURED = [
  'authorization-code + PKCE flow, end to end (needs sign-in and consent)',
  'PAT introspection (needs personal access tokens)',
  'SDK verification: JWT cold (first verify, JWKS fetch)',
  'SDK verification: JWT warm (cached JWKS)',
  'SDK verification: PAT through the SDK cache',
];

function positive(name, fallback, zeroOk = false) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (!zeroOk && n === 0) || n > 120) {
    console.error(`bench: ${name} must be a number of at most 120${zeroOk ? '' : ', above 0'}; got ${raw}`);
    process.exit(2);
  }
  return n;
}

const log = (line) => process.stderr.write(`${line}\n`);

// ---------------------------------------------------------------------------------
// Processes, pinning, /proc

const HAS_TASKSET = (() => {
  if (process.platform !== 'linux') return false;
  const probe = spawnSync('taskset', ['-c', `${SERVER_CPU},${LOADER_CPU}`, 'true'], { stdio: 'ignore' });
  return probe.status === 0;
})();
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Every child still running, killed if this process stops early. */
const children = new Set();
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`bench: ${signal}, stopping`);
    process.exit(130);
  });
}

function pinned(cpu, argv) {
  return HAS_TASKSET ? ['taskset', '-c', cpu, ...argv] : argv;
}

/** utime and stime of the whole process (all threads), in microseconds. */
function cpuTimes(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return { user: (Number(fields[11]) / CLK_TCK) * 1e6, sys: (Number(fields[12]) / CLK_TCK) * 1e6 };
  } catch {
    return { user: NaN, sys: NaN };
  }
}

/**
 * Per-CPU times from /proc/stat, in microseconds: busy (everything but idle and
 * iowait), total, and irq+softirq (loopback traffic is handled there).
 */
function coreTimes() {
  const cores = {};
  try {
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const match = /^cpu(\d+)\s+(.*)$/.exec(line);
      if (!match) continue;
      const [user, nice, system, idle, iowait, irq, softirq, steal] = match[2].split(/\s+/).map(Number);
      const us = (ticks) => (ticks / CLK_TCK) * 1e6;
      cores[match[1]] = {
        busy: us(user + nice + system + irq + softirq + steal),
        total: us(user + nice + system + idle + iowait + irq + softirq + steal),
        irq: us(irq + softirq),
      };
    }
  } catch {
    // not Linux: no core figures
  }
  return cores;
}

function coreDelta(before, after, cpu) {
  const a = after[cpu];
  const b = before[cpu];
  if (!a || !b) return undefined;
  return { busy: a.busy - b.busy, total: a.total - b.total, irq: a.irq - b.irq };
}

/** VmRSS / VmHWM in MB, or NaN where /proc is not there. */
function memoryMB(pid, field) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Resets VmHWM to the current RSS (Linux >= 4.0), so the peak is the peak under load. */
function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Starts a server child and resolves once it printed `listening <url>`. */
function startServer(label, argv, env) {
  const [command, ...args] = pinned(SERVER_CPU, argv);
  const child = track(spawn(command, args, { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-4000);
  };
  child.stderr.on('data', keep);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${label} did not start within 30 s`)), 30_000);
    const fail = (error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n--- ${label} output ---\n${output}`));
    };
    const early = (code, signal) => fail(new Error(`${label} exited (${signal ?? code}) before listening`));
    child.once('error', fail);
    child.once('exit', early);
    const watch = (chunk) => {
      keep(chunk);
      const match = /listening\s+(http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.off('exit', early);
        child.stdout.off('data', watch);
        child.stdout.on('data', keep);
        resolve({ child, pid: child.pid, url: match[1], output: () => output });
      }
    };
    child.stdout.on('data', watch);
  });
}

async function stopServer(server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Runs the load child: warm-up, then (CPU read) the measured phase. */
function runLoad(spec, pid) {
  const [command, ...args] = pinned(LOADER_CPU, [process.execPath, join(BENCH, 'lib', 'load.mjs'), JSON.stringify(spec)]);
  const child = track(spawn(command, args, { cwd: BENCH, stdio: ['pipe', 'pipe', 'pipe'] }));
  let stderr = '';
  child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
  return new Promise((resolve, reject) => {
    const limit = (spec.warmupSeconds + spec.seconds + 60) * 1000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`load generator did not finish within ${limit / 1000} s`));
    }, limit);
    let buffered = '';
    let before;
    let result;
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const message = JSON.parse(line);
        if (message.event === 'warm') {
          before = { process: cpuTimes(pid), cores: coreTimes() };
          child.stdin.write('go\n');
        } else if (message.event === 'result') {
          const after = { process: cpuTimes(pid), cores: coreTimes() };
          const serverUserMicros = after.process.user - before.process.user;
          const serverSysMicros = after.process.sys - before.process.sys;
          const serverCore = coreDelta(before.cores, after.cores, SERVER_CPU);
          const loaderCore = coreDelta(before.cores, after.cores, LOADER_CPU);
          const loaderMicros = (message.loaderCpuPercent / 100) * message.seconds * 1e6;
          // Work on the two benchmark cores that is neither ours nor the kernel's
          // network handling: another process (a build, a test run) competing with us.
          const foreign = (core, ours) => (core && HAS_TASKSET ? Math.max(0, (core.busy - core.irq - ours) / core.total) : NaN);
          result = {
            ...message,
            serverUserMicros,
            serverSysMicros,
            serverCoreBusyPercent: serverCore ? (serverCore.busy / serverCore.total) * 100 : NaN,
            foreignServerCorePercent: foreign(serverCore, serverUserMicros + serverSysMicros) * 100,
            foreignLoaderCorePercent: foreign(loaderCore, loaderMicros) * 100,
          };
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (result && code === 0) resolve(result);
      else reject(new Error(`load generator exited ${code}\n${stderr}`));
    });
  });
}

// ---------------------------------------------------------------------------------
// Servers and scenarios

const SERVERS = {
  tessera: {
    label: 'Tessera',
    async start(dataDir) {
      const configFile = join(dataDir, 'bench.yaml');
      writeFileSync(configFile, tesseraConfigYaml());
      return startServer(
        'Tessera',
        [process.execPath, join(ROOT, 'bin', 'tessera.js'), 'start', '--config', configFile, '--data', dataDir, '--port', '0', '--host', '127.0.0.1'],
        { TESSERA_LOG_LEVEL: 'silent', TESSERA_MASTER_KEY: randomBytes(32).toString('hex') },
      );
    },
  },
  'oidc-provider': {
    label: 'oidc-provider',
    start: (dataDir) =>
      startServer('oidc-provider', [process.execPath, join(BENCH, 'servers', 'oidc-provider.mjs'), JSON.stringify({ adapter: 'memory', dataDir })]),
  },
  'oidc-provider-sqlite': {
    label: 'oidc-provider+SQLite',
    start: (dataDir) =>
      startServer('oidc-provider (SQLite adapter)', [process.execPath, join(BENCH, 'servers', 'oidc-provider.mjs'), JSON.stringify({ adapter: 'sqlite', dataDir })]),
  },
};

/** The token and introspection endpoints, from discovery (oidc-provider's is /token/introspection). */
async function discover(url) {
  const response = await fetch(`${url}/.well-known/openid-configuration`);
  if (response.status !== 200) throw new Error(`discovery at ${url} answered HTTP ${response.status}`);
  const doc = await response.json();
  const path = (endpoint) => (endpoint ? new URL(endpoint).pathname : undefined);
  return { token: path(doc.token_endpoint), introspection: path(doc.introspection_endpoint) };
}

async function post(url, path, form) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body, text };
}

function check(condition, what, response) {
  if (!condition) throw new Error(`sanity check failed: ${what}\n  got HTTP ${response.status}: ${response.text.slice(0, 400)}`);
}

function jwtParts(token) {
  const [header, payload] = token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')));
  return { header, payload };
}

const SCENARIOS = [
  {
    id: 'jwt',
    title: 'a. client_credentials -> JWT access token (ES256), client_secret_basic',
    servers: ['tessera', 'oidc-provider'],
    async prepare(url, endpoints) {
      const body = tokenRequestBody(JWT_API);
      const r = await post(url, endpoints.token, body);
      check(r.status === 200 && typeof r.body.access_token === 'string', 'POST /token answers 200 with an access_token', r);
      const { header, payload } = jwtParts(r.body.access_token);
      check(header.alg === 'ES256' && header.typ === 'at+jwt', `JWT header is ES256 at+jwt (got ${JSON.stringify(header)})`, r);
      check(payload.aud === JWT_API, `JWT aud is ${JWT_API}`, r);
      return { path: endpoints.token, body, verify: 'jwt', sample: { header, claims: Object.keys(payload).sort(), bytes: r.body.access_token.length } };
    },
  },
  {
    id: 'reference',
    title: 'b. client_credentials -> stored reference (opaque) token, client_secret_basic',
    servers: ['tessera', 'oidc-provider', 'oidc-provider-sqlite'],
    async prepare(url, endpoints) {
      const body = tokenRequestBody(REF_API);
      const r = await post(url, endpoints.token, body);
      check(r.status === 200 && typeof r.body.access_token === 'string', 'POST /token answers 200 with an access_token', r);
      check(r.body.access_token.split('.').length !== 3, 'the access token is opaque, not a JWT', r);
      return { path: endpoints.token, body, verify: 'token', sample: { bytes: r.body.access_token.length } };
    },
  },
  {
    id: 'introspect',
    title: 'c. introspection of a reference token (the client that obtained it, client_secret_basic)',
    servers: ['tessera', 'oidc-provider', 'oidc-provider-sqlite'],
    async prepare(url, endpoints) {
      const minted = await post(url, endpoints.token, tokenRequestBody(REF_API));
      check(minted.status === 200 && typeof minted.body.access_token === 'string', 'POST /token answers 200 with an access_token', minted);
      const body = new URLSearchParams({ token: minted.body.access_token }).toString();
      const r = await post(url, endpoints.introspection, body);
      check(r.status === 200 && r.body.active === true, 'POST /introspect answers 200 {"active":true,...}', r);
      check(r.body.aud === REF_API || (Array.isArray(r.body.aud) && r.body.aud.includes(REF_API)), `introspection aud is ${REF_API}`, r);
      return { path: endpoints.introspection, body, verify: 'active', sample: { response: r.body } };
    },
  },
];

async function measure(serverId, scenario) {
  const server = SERVERS[serverId];
  const dataDir = mkdtempSync(join(tmpdir(), `tessera-bench-${serverId}-`));
  let running;
  try {
    const startedAt = process.hrtime.bigint();
    running = await server.start(dataDir);
    const startMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
    const endpoints = await discover(running.url);
    const prepared = await scenario.prepare(running.url, endpoints);
    return await load(running, prepared, { startMs });
  } finally {
    if (running) await stopServer(running);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function load(running, prepared, extra = {}) {
  const { pid } = running;
  const rssIdleMB = memoryMB(pid, 'VmRSS');
  const hwmReset = resetPeak(pid);
  let rssPolledMB = rssIdleMB;
  const poll = setInterval(() => {
    const rss = memoryMB(pid, 'VmRSS');
    if (rss > rssPolledMB) rssPolledMB = rss;
  }, 100);
  let result;
  try {
    result = await runLoad(
      {
        url: `${running.url}${prepared.path}`,
        method: 'POST',
        headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
        body: prepared.body,
        connections: CONNECTIONS,
        warmupSeconds: WARMUP_SECONDS,
        seconds: SECONDS,
        verify: prepared.verify,
      },
      pid,
    );
  } finally {
    clearInterval(poll);
  }
  const hwm = memoryMB(pid, 'VmHWM');
  const rssPeakMB = hwmReset && Number.isFinite(hwm) ? Math.max(hwm, rssPolledMB) : rssPolledMB;
  const failures = result.non2xx + result.errors + result.timeouts + result.mismatches;
  return {
    ...extra,
    reqPerSec: result.ok / result.seconds,
    p50ms: result.p50ms,
    p99ms: result.p99ms,
    maxms: result.maxms,
    cpuMicrosPerReq: (result.serverUserMicros + result.serverSysMicros) / result.responses,
    sysMicrosPerReq: result.serverSysMicros / result.responses,
    serverCpuPercent: ((result.serverUserMicros + result.serverSysMicros) / 1e6 / result.seconds) * 100,
    serverCoreBusyPercent: result.serverCoreBusyPercent,
    foreignServerCorePercent: result.foreignServerCorePercent,
    foreignLoaderCorePercent: result.foreignLoaderCorePercent,
    disturbed: result.foreignServerCorePercent > DISTURBED_SERVER_PERCENT || result.foreignLoaderCorePercent > DISTURBED_LOADER_PERCENT,
    loaderCpuPercent: result.loaderCpuPercent,
    rssIdleMB,
    rssPeakMB,
    responses: result.responses,
    ok: result.ok,
    statusCodes: result.statusCodes,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    failures,
    failureSamples: result.samples,
    seconds: result.seconds,
    sample: prepared.sample,
  };
}

/** A floor server (servers/raw-http.mjs, servers/sign-http.mjs) under the scenario-a request. */
async function floorServer(label, script, verify) {
  const running = await startServer(label, [process.execPath, join(BENCH, 'servers', script)], {});
  try {
    const body = tokenRequestBody(JWT_API);
    const r = await post(running.url, '/token', body);
    check(r.status === 200, `${label} answers 200`, r);
    return await load(running, { path: '/token', body, verify });
  } finally {
    await stopServer(running);
  }
}

function signFloor() {
  const argv = pinned(SERVER_CPU, [process.execPath, join(BENCH, 'lib', 'sign-rate.mjs'), '2']);
  const before = coreTimes();
  const out = execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 60_000 });
  const core = coreDelta(before, coreTimes(), SERVER_CPU);
  const result = JSON.parse(out.trim().split('\n').pop());
  // The child's own CPU is about its whole life; the loop is 2 s of it at 100%.
  const foreign = core && HAS_TASKSET ? Math.max(0, (core.busy - core.irq - result.processCpuMicros) / core.total) * 100 : NaN;
  return { ...result, foreignServerCorePercent: foreign, foreignLoaderCorePercent: 0, disturbed: foreign > DISTURBED_SERVER_PERCENT };
}

/**
 * Runs `attempt` again (BENCH_RETRIES times, default 1) when another process used
 * the benchmark cores meanwhile, and keeps the least disturbed result.
 */
async function leastDisturbed(label, attempt) {
  let best;
  for (let i = 0; i <= RETRIES; i++) {
    const result = await attempt();
    const noise = (r) => Math.max(r.foreignServerCorePercent || 0, r.foreignLoaderCorePercent || 0);
    if (!best || noise(result) < noise(best)) best = result;
    best.attempts = i + 1;
    if (!best.disturbed) break;
    if (i < RETRIES) log(`  ${label}: other processes used the benchmark cores (${Math.round(noise(result))}%); running it again`);
  }
  return best;
}

// ---------------------------------------------------------------------------------
// Output

const fmt = {
  int: (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a'),
  ms: (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a'),
  one: (n) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a'),
  pct: (n) => (Number.isFinite(n) ? `${(n * 100).toFixed(1)}%` : 'n/a'),
  x: (n) => (Number.isFinite(n) ? `${n.toFixed(2)}x` : 'n/a'),
};

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function resultRow(label, r) {
  if (r.error) return [`${label} (!)`, 'FAILED', '-', '-', '-', '-', '-'];
  return [
    `${label}${r.failures > 0 ? ' (!)' : ''}${r.disturbed ? ' (~)' : ''}`,
    fmt.int(r.reqPerSec),
    fmt.ms(r.p50ms),
    fmt.ms(r.p99ms),
    fmt.int(r.cpuMicrosPerReq),
    fmt.one(r.rssIdleMB),
    fmt.one(r.rssPeakMB),
  ];
}

const HEADERS = ['server', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'RSS idle MB', 'RSS peak MB'];

function disturbedText(label, r) {
  if (!r.disturbed) return [];
  return [
    `(~) ${label}: other processes used ${fmt.int(r.foreignServerCorePercent)}% of the server core and ` +
      `${fmt.int(r.foreignLoaderCorePercent)}% of the load-generator core during this run; its figures are perturbed (run again on a quiet machine)`,
  ];
}

function failureText(label, r) {
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

function saturated(r) {
  const busy = Number.isFinite(r.serverCoreBusyPercent) ? r.serverCoreBusyPercent : r.serverCpuPercent;
  return busy >= 90;
}

function floorLine(label, r) {
  return [
    `  ${label}: ${fmt.int(r.reqPerSec)} req/s, p50 ${fmt.ms(r.p50ms)} ms, p99 ${fmt.ms(r.p99ms)} ms, ` +
      `${fmt.int(r.cpuMicrosPerReq)} CPU µs/req, RSS ${fmt.one(r.rssIdleMB)} -> ${fmt.one(r.rssPeakMB)} MB`,
    `    (server process ${fmt.int(r.serverCpuPercent)}% of its core, core ${fmt.int(r.serverCoreBusyPercent)}% busy with interrupts; ` +
      `load generator ${fmt.int(r.loaderCpuPercent)}%` +
      `${saturated(r) ? ')' : '; the server core was not saturated: this req/s is bounded by the load generator, its CPU µs/req is the floor to compare)'}`,
    ...failureText(label, r).map((l) => `  ${l}`),
  ];
}

function report(results) {
  const { machine, settings, floors, scenarios } = results;
  const out = [];
  out.push('Tessera vs oidc-provider');
  out.push(
    `machine: ${machine.cpu} x${machine.cores}, Node ${machine.node}; Tessera ${machine.tessera} vs oidc-provider ${machine.oidcProvider}; ` +
      `autocannon ${machine.autocannon}`,
  );
  out.push(
    `load: ${settings.connections} keep-alive connections, ${settings.warmupSeconds} s warm-up + ${settings.seconds} s measured per run, 127.0.0.1; ` +
      (settings.pinned ? `server pinned to CPU ${SERVER_CPU}, load generator to CPU ${LOADER_CPU}` : 'NOT pinned (no taskset): figures are noisier'),
  );
  out.push('');
  out.push('Floors (same load, same pinning)');
  const raw = floors.rawHttp;
  const signHttp = floors.signHttp;
  out.push(...floorLine('raw node:http (form POST -> small JSON)', raw));
  out.push(
    `  ES256 sign (node:crypto loop, one core): ${fmt.int(floors.es256.signsPerSecond)} signatures/s (${fmt.one(floors.es256.usPerSign)} µs each)` +
      (floors.es256.disturbed ? ` (~) perturbed: other processes used ${fmt.int(floors.es256.foreignServerCorePercent)}% of the core` : ''),
  );
  out.push(...floorLine('node:http + one ES256 JWT (no auth, no lookup, no logging)', signHttp));

  for (const scenario of scenarios) {
    out.push('');
    out.push(scenario.title);
    const rows = scenario.results.map((r) => resultRow(SERVERS[r.server].label, r));
    out.push(table(HEADERS, rows).replace(/^/gm, '  '));
    const tessera = scenario.results.find((r) => r.server === 'tessera');
    for (const other of scenario.results.filter((r) => r.server !== 'tessera')) {
      out.push(
        `  Tessera / ${SERVERS[other.server].label}: req/s ${fmt.x(tessera.reqPerSec / other.reqPerSec)}, ` +
          `CPU µs/req ${fmt.x(tessera.cpuMicrosPerReq / other.cpuMicrosPerReq)}`,
      );
    }
    const each = (f) => scenario.results.map((r) => `${SERVERS[r.server].label} ${f(r)}`).join(', ');
    out.push(`  req/s as a fraction of raw node:http req/s: ${each((r) => fmt.pct(r.reqPerSec / raw.reqPerSec))}`);
    out.push(`  raw node:http CPU/req as a fraction of this CPU/req: ${each((r) => fmt.pct(raw.cpuMicrosPerReq / r.cpuMicrosPerReq))}`);
    if (scenario.id === 'jwt') {
      out.push(`  req/s as a fraction of the ES256 sign rate (one signature per token): ${each((r) => fmt.pct(r.reqPerSec / floors.es256.signsPerSecond))}`);
      out.push(`  req/s as a fraction of node:http + ES256 req/s: ${each((r) => fmt.pct(r.reqPerSec / signHttp.reqPerSec))}`);
    }
    out.push(`  of which kernel (sys) CPU µs/req: ${each((r) => fmt.int(r.sysMicrosPerReq))}`);
    for (const r of scenario.results.filter((r) => !r.error)) {
      const label = SERVERS[r.server].label;
      if (r.loaderCpuPercent > 90) {
        out.push(`  note: ${label}: the load generator used ${fmt.int(r.loaderCpuPercent)}% of its core; req/s may be bounded by it`);
      } else if (!saturated(r)) {
        out.push(
          `  note: ${label}: its core was only ${fmt.int(r.serverCoreBusyPercent)}% busy with ${settings.connections} requests in flight: ` +
            'it waits (disk, locks) rather than computes',
        );
      }
    }
    for (const r of scenario.results) out.push(...failureText(SERVERS[r.server].label, r).map((l) => `  ${l}`));
  }
  out.push('');
  out.push(`not yet measured: ${NOT_YET_MEASURED.join('; ')}`);
  return out.join('\n');
}

function version(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

function gitRevision() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------

async function main() {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
    log('bench: dist/ is missing; run `npm run build` first (or `npm run bench` from the repository root)');
    process.exit(2);
  }
  if (!existsSync(join(BENCH, 'node_modules', 'oidc-provider'))) {
    log('bench: bench/node_modules is missing; run `npm --prefix bench ci` first (or `npm run bench` from the repository root)');
    process.exit(2);
  }
  const rev = gitRevision();
  const results = {
    machine: {
      cpu: cpus()[0]?.model?.trim() ?? 'unknown',
      cores: cpus().length,
      node: process.versions.node,
      tessera: `${version(join(ROOT, 'package.json'))}${rev ? ` (${rev})` : ''}`,
      oidcProvider: version(join(BENCH, 'node_modules', 'oidc-provider', 'package.json')),
      autocannon: version(join(BENCH, 'node_modules', 'autocannon', 'package.json')),
    },
    settings: { connections: CONNECTIONS, warmupSeconds: WARMUP_SECONDS, seconds: SECONDS, pinned: HAS_TASKSET, clockTicks: CLK_TCK },
    floors: {},
    scenarios: [],
    notYetMeasured: NOT_YET_MEASURED,
  };
  if (!HAS_TASKSET) log('bench: taskset not found (or CPUs 0,1 not available): running unpinned');

  log('floor: raw node:http ...');
  results.floors.rawHttp = await leastDisturbed('raw node:http', () => floorServer('raw node:http', 'raw-http.mjs', 'token'));
  log('floor: ES256 sign rate ...');
  results.floors.es256 = await leastDisturbed('ES256 sign', async () => signFloor());
  log('floor: node:http + one ES256 signature ...');
  results.floors.signHttp = await leastDisturbed('node:http + ES256', () => floorServer('node:http + ES256', 'sign-http.mjs', 'jwt'));

  for (const scenario of SCENARIOS) {
    if (ONLY && !ONLY.has(scenario.id)) continue;
    const entry = { id: scenario.id, title: scenario.title, results: [] };
    for (const serverId of scenario.servers) {
      log(`${scenario.id}: ${SERVERS[serverId].label} ...`);
      let r;
      try {
        r = await leastDisturbed(`${scenario.id}: ${SERVERS[serverId].label}`, () => measure(serverId, scenario));
      } catch (error) {
        r = { error: error.message, failures: 1 };
        log(`  !!! ${SERVERS[serverId].label} failed: ${error.message}`);
      }
      entry.results.push({ server: serverId, ...r });
      if (r.failures && !r.error) log(`  !!! ${r.failures} failed responses`);
    }
    results.scenarios.push(entry);
  }

  if (JSON_OUT) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else process.stdout.write(`${report(results)}\n`);

  const all = [results.floors.rawHttp, results.floors.es256, results.floors.signHttp, ...results.scenarios.flatMap((s) => s.results)];
  if (all.some((r) => r.disturbed)) log('bench: some runs were disturbed by other processes on the benchmark cores (marked ~)');
  const failed = all.some((r) => r.failures > 0);
  if (failed) {
    log('bench: some runs had failed responses (see above); exit code 1');
    process.exitCode = 1;
  }
}

await main();
