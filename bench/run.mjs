#!/usr/bin/env node
/**
 * Tessera vs oidc-provider, side by side, on this machine.
 *
 *   npm run bench                      # from the repository root (installs bench/, builds, runs)
 *   node bench/run.mjs [--quick] [--json]   # after `npm run build` and `npm --prefix bench ci`
 *
 * Every server runs in its own child process, one after the other, pinned to CPU 0
 * (when `taskset` exists); the autocannon load runs in another child pinned to CPU 1.
 * See bench/README.md for what is measured and how the servers are configured.
 *
 * Environment: BENCH_SECONDS (measured seconds per run, default 5), BENCH_RETRIES
 * (re-runs of a run disturbed by other processes on the benchmark cores, default 1),
 * BENCH_WARMUP_SECONDS (default 1.5), BENCH_CONNECTIONS (default 50),
 * BENCH_ONLY (comma-separated scenario ids, e.g. "jwt,introspect"), BENCH_STORE_SIZES
 * (stored tokens for the store-scale scenario, e.g. "10000,1000000"), DATABASE_URL
 * (also run the store-scale scenario on PostgreSQL). --quick: short runs and 10k/100k
 * stored tokens instead of 10k/1M, the whole run in a couple of minutes.
 *
 * Scenarios are entries of SCENARIOS (HTTP load against each server), of SECTIONS
 * (anything else: flows, in-process SDK, store scale) and of MODULES (a file in bench/
 * that exports `run(harness)`, registered by id; see "Adding a scenario module" in
 * bench/README.md).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  BASIC,
  CLIENT_ID,
  FLOW_SCOPE,
  JWT_API,
  PASSWORD,
  REDIRECT_URI,
  REF_API,
  RS_BASIC,
  SCOPES,
  SCRYPT,
  USERNAME,
  WEB_BASIC,
  WEB_CLIENT_ID,
  tesseraConfigYaml,
  tokenRequestBody,
} from './lib/fixtures.mjs';
import { seedPostgres, seedSqlite } from './lib/seed.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
const ARGS = process.argv.slice(2);
for (const arg of ARGS) {
  if (arg !== '--json' && arg !== '--quick') {
    console.error(`bench: unknown argument ${arg} (takes --quick and --json)`);
    process.exit(2);
  }
}
const JSON_OUT = ARGS.includes('--json');
const QUICK = ARGS.includes('--quick');
const SECONDS = positive('BENCH_SECONDS', QUICK ? 2 : 5);
const WARMUP_SECONDS = positive('BENCH_WARMUP_SECONDS', QUICK ? 1 : 1.5, true);
/** Flows are slow (a password hash each): longer runs, few in flight. */
const FLOW_SECONDS = positive('BENCH_FLOW_SECONDS', QUICK ? 3 : 8);
const FLOW_CONCURRENCY = 8;
/** Each of the four in-process SDK loops. */
const SDK_SECONDS = QUICK ? 0.5 : 1.5;
const STORE_SIZES = (process.env.BENCH_STORE_SIZES ?? (QUICK ? '10000,100000' : '10000,1000000')).split(',').map((n) => {
  const size = Number(n.trim());
  if (!Number.isInteger(size) || size < 1000 || size > 10_000_000) {
    console.error(`bench: BENCH_STORE_SIZES takes whole numbers from 1000 to 10000000; got ${n}`);
    process.exit(2);
  }
  return size;
});
/** Stored tokens introspection cycles through in the store-scale scenario. */
const STORE_SAMPLE = 20_000;
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
  'one vs two instances on PostgreSQL (scale; the module bench/scale-out.mjs registers there)',
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
  // The whole process tree: with `start --workers` the serving is done by the children.
  let user = 0;
  let sys = 0;
  for (const one of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${one}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
      user += (Number(fields[11]) / CLK_TCK) * 1e6;
      sys += (Number(fields[12]) / CLK_TCK) * 1e6;
    } catch {
      if (one === pid) return { user: NaN, sys: NaN };
    }
  }
  return { user, sys };
}

/** A process and its descendants (Linux: /proc/PID/task/TID/children), the process first. */
function processTree(pid) {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    try {
      for (const task of readdirSync(`/proc/${all[i]}/task`)) {
        const children = readFileSync(`/proc/${all[i]}/task/${task}/children`, 'utf8').trim();
        if (children) all.push(...children.split(' ').map(Number));
      }
    } catch {
      // gone, or no children file on this kernel: the process alone
    }
  }
  return all;
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
function startServer(label, argv, env, cpu = SERVER_CPU) {
  const [command, ...args] = pinned(cpu, argv);
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

/**
 * Runs the load child (lib/load.mjs, or another driver speaking its protocol such as
 * lib/flow.mjs): warm-up, then (CPU read) the measured phase.
 */
function runLoad(spec, pid, driver = 'load.mjs') {
  const [command, ...args] = pinned(LOADER_CPU, [process.execPath, join(BENCH, 'lib', driver), JSON.stringify(spec)]);
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

/** Runs a `tessera` CLI verb on the data directory (before the server starts); answers its stdout. */
function tesseraCli(args, env) {
  return execFileSync(process.execPath, [join(ROOT, 'bin', 'tessera.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
}

const SERVERS = {
  tessera: {
    label: 'Tessera',
    /**
     * options.pat: create a PAT for the bench user first (`tessera tokens create pat`);
     * options.seed({ dataDir, masterKey, env }): fill the store before the start;
     * options.env: more environment (DATABASE_URL);
     * options.masterKey: 64 hex characters (instances sharing one database need the same);
     * options.cpu: the CPUs to pin it to (taskset list, default the server core).
     */
    async start(dataDir, options = {}) {
      const configFile = join(dataDir, 'bench.yaml');
      writeFileSync(configFile, tesseraConfigYaml());
      const masterKey = options.masterKey ?? randomBytes(32).toString('hex');
      // The embedded SQLite store unless the caller names a database: a DATABASE_URL in
      // the bench's own environment is for the store-scale scenario's PostgreSQL runs only.
      // One process: NODE_ENV=production would otherwise mean one worker per core (start --workers auto).
      const env = { TESSERA_LOG_LEVEL: 'silent', TESSERA_MASTER_KEY: masterKey, DATABASE_URL: '', TESSERA_WORKERS: '1', ...options.env };
      let pat;
      let seeded;
      if (options.pat || options.seed) tesseraCli(['apply', configFile, '--data', dataDir], env);
      if (options.pat) {
        const args = ['tokens', 'create', 'pat', '--user', USERNAME, '--api', REF_API, '--scope', SCOPES[0], '--name', 'bench', '--data', dataDir, '--local'];
        pat = tesseraCli(args, env).trim();
      }
      if (options.seed) seeded = await options.seed({ dataDir, masterKey, env });
      const running = await startServer(
        'Tessera',
        [process.execPath, join(ROOT, 'bin', 'tessera.js'), 'start', '--config', configFile, '--data', dataDir, '--port', '0', '--host', '127.0.0.1'],
        env,
        options.cpu,
      );
      return { ...running, pat, seeded };
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
  return { token: path(doc.token_endpoint), introspection: path(doc.introspection_endpoint), authorization: path(doc.authorization_endpoint) };
}

async function post(url, path, form, authorization = BASIC) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
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
  {
    id: 'pat',
    title: 'd. introspection of a personal access token (PAT) by a resource server (a client with introspection: any, client_secret_basic)',
    servers: ['tessera'],
    tessera: { pat: true },
    note: 'Tessera only: oidc-provider has no personal access tokens (nor any user-made long-lived credential), so there is nothing equivalent to compare',
    async prepare(url, endpoints, running) {
      const body = new URLSearchParams({ token: running.pat }).toString();
      const r = await post(url, endpoints.introspection, body, RS_BASIC);
      check(r.status === 200 && r.body.active === true, 'POST /introspect answers 200 {"active":true,...}', r);
      check(r.body.token_kind === 'personal_access_token' && r.body.username === USERNAME, `a PAT of ${USERNAME}`, r);
      return { path: endpoints.introspection, body, authorization: RS_BASIC, verify: 'active', sample: { response: r.body } };
    },
  },
  {
    id: 'flow',
    title: 'e. authorization code + PKCE, end to end: authorize -> sign-in (password) -> consent -> code -> token (per completed flow)',
    servers: ['tessera', 'oidc-provider', 'oidc-provider-sqlite'],
    unit: 'flow',
    async prepare(url, endpoints) {
      // The password hash alone, measured right before this server's load (the server
      // idles meanwhile): on a shared machine its cost moves with the neighbours.
      const scrypt = scryptFloor();
      return {
        driver: 'flow.mjs',
        extra: { scryptMs: scrypt.usPerHash / 1000, scryptDisturbed: scrypt.disturbed, scryptForeignPercent: scrypt.foreignServerCorePercent },
        seconds: FLOW_SECONDS,
        spec: {
          base: url,
          authorizePath: endpoints.authorization,
          tokenPath: endpoints.token,
          clientId: WEB_CLIENT_ID,
          basic: WEB_BASIC,
          redirectUri: REDIRECT_URI,
          scope: FLOW_SCOPE,
          username: USERNAME,
          password: PASSWORD,
          concurrency: FLOW_CONCURRENCY,
        },
      };
    },
  },
];

async function measure(serverId, scenario) {
  const server = SERVERS[serverId];
  const dataDir = mkdtempSync(join(tmpdir(), `tessera-bench-${serverId}-`));
  let running;
  try {
    const startedAt = process.hrtime.bigint();
    running = await server.start(dataDir, serverId === 'tessera' ? scenario.tessera : undefined);
    const startMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
    const endpoints = await discover(running.url);
    const prepared = await scenario.prepare(running.url, endpoints, running);
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
    const spec = prepared.driver
      ? { ...prepared.spec, warmupSeconds: WARMUP_SECONDS, seconds: prepared.seconds ?? SECONDS }
      : {
          url: `${running.url}${prepared.path}`,
          method: 'POST',
          headers: { authorization: prepared.authorization ?? BASIC, 'content-type': 'application/x-www-form-urlencoded' },
          body: prepared.body,
          ...(prepared.bodiesFile ? { bodiesFile: prepared.bodiesFile } : {}),
          connections: CONNECTIONS,
          warmupSeconds: WARMUP_SECONDS,
          seconds: prepared.seconds ?? SECONDS,
          verify: prepared.verify,
        };
    result = await runLoad(spec, pid, prepared.driver);
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
    ...(result.requestsPerFlow !== undefined ? { requestsPerFlow: result.requestsPerFlow } : {}),
    ...prepared.extra,
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

/**
 * Runs a one-core measurement child (lib/sign-rate.mjs, lib/scrypt-rate.mjs,
 * lib/sdk.mjs) on CPU 0 and answers its JSON line, with the share of that core other
 * processes took meanwhile (its `processCpuMicros` covers its whole life, as does the
 * core reading).
 */
function pinnedChild(script, args) {
  const argv = pinned(SERVER_CPU, [process.execPath, join(BENCH, 'lib', script), ...args]);
  const before = coreTimes();
  const out = execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 300_000, cwd: BENCH });
  const core = coreDelta(before, coreTimes(), SERVER_CPU);
  const result = JSON.parse(out.trim().split('\n').pop());
  const foreign = core && HAS_TASKSET ? Math.max(0, (core.busy - core.irq - result.processCpuMicros) / core.total) * 100 : NaN;
  return { ...result, foreignServerCorePercent: foreign, foreignLoaderCorePercent: 0, disturbed: foreign > DISTURBED_SERVER_PERCENT };
}

const signFloor = () => pinnedChild('sign-rate.mjs', ['2']);
const scryptFloor = () => pinnedChild('scrypt-rate.mjs', [QUICK ? '1' : '2']);

// ---------------------------------------------------------------------------------
// Sections that are not one HTTP request against each server

/** f. The resource-server SDK in process (lib/sdk.mjs), against the node:crypto verify floor. */
async function sdkSection() {
  const r = await leastDisturbed('sdk', async () => pinnedChild('sdk.mjs', [JSON.stringify({ root: ROOT, seconds: SDK_SECONDS })]));
  return { id: 'sdk', title: 'f. resource-server SDK in process: authenticate() on one core, sequential awaits', sdk: r, failures: r.failures, disturbed: r.disturbed, results: [r] };
}

/**
 * g. Store scale: Tessera with N stored tokens (seeded directly, lib/seed.mjs), for each
 * size: reference-token issuance (scenario b's request), then introspection of a
 * different stored token each time (cycling through STORE_SAMPLE of them).
 */
async function storeSection() {
  const backends = [{ id: 'sqlite', label: 'SQLite' }];
  if (process.env.DATABASE_URL) backends.push({ id: 'postgres', label: 'PostgreSQL' });
  const rows = [];
  for (const backend of backends) {
    for (const size of STORE_SIZES) {
      log(`store: ${backend.label}, ${size.toLocaleString('en-US')} stored tokens ...`);
      try {
        rows.push(...(await storeRun(backend, size)));
      } catch (error) {
        log(`  !!! store ${backend.label} ${size} failed: ${error.message}`);
        rows.push({ backend: backend.label, size, what: 'issue', error: error.message, failures: 1 });
      }
    }
  }
  return {
    id: 'store',
    title: 'g. store scale: Tessera with N stored tokens, reference-token issuance and introspection (a different stored token each request)',
    store: rows,
    skipped: process.env.DATABASE_URL ? undefined : 'PostgreSQL: DATABASE_URL is not set',
    results: rows,
  };
}

async function storeRun(backend, size) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-store-'));
  let running;
  let schema;
  try {
    const env = {};
    if (backend.id === 'postgres') {
      schema = `bench_${randomBytes(6).toString('hex')}`;
      await createSchema(process.env.DATABASE_URL, schema);
      const url = new URL(process.env.DATABASE_URL);
      url.searchParams.set('options', `-c search_path=${schema}`);
      env.DATABASE_URL = url.href;
    }
    let seedSeconds;
    running = await SERVERS.tessera.start(dataDir, {
      env,
      async seed({ masterKey }) {
        const started = process.hrtime.bigint();
        const common = { root: ROOT, masterKey, count: size, sample: Math.min(STORE_SAMPLE, size), clientId: CLIENT_ID, audience: REF_API, scope: SCOPES[0] };
        const tokens = backend.id === 'postgres'
          ? await seedPostgres({ ...common, databaseUrl: process.env.DATABASE_URL, schema })
          : await seedSqlite({ ...common, dataDir });
        seedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
        return tokens;
      },
    });
    const endpoints = await discover(running.url);
    const issue = await SCENARIOS.find((x) => x.id === 'reference').prepare(running.url, endpoints, running);
    const bodiesFile = join(dataDir, 'introspect-bodies.txt');
    writeFileSync(bodiesFile, `${running.seeded.map((token) => new URLSearchParams({ token }).toString()).join('\n')}\n`);
    const first = await post(running.url, endpoints.introspection, new URLSearchParams({ token: running.seeded[0] }).toString());
    check(first.status === 200 && first.body.active === true, 'a seeded token introspects as active', first);
    const introspect = { path: endpoints.introspection, body: '', bodiesFile, verify: 'active' };
    // Both loads run on this one server (and a disturbed one is repeated): idle is now.
    const common = { backend: backend.label, size, seedSeconds, rssIdleMB: memoryMB(running.pid, 'VmRSS') };
    const issued = await leastDisturbed(`store ${size} issue`, () => load(running, issue));
    const looked = await leastDisturbed(`store ${size} introspect`, () => load(running, introspect));
    return [
      { ...issued, ...common, what: 'issue' },
      { ...looked, ...common, what: 'introspect' },
    ];
  } finally {
    if (running) await stopServer(running);
    rmSync(dataDir, { recursive: true, force: true });
    if (schema) await dropSchemaQuietly(process.env.DATABASE_URL, schema);
  }
}

async function pgClient(databaseUrl) {
  const pg = createRequire(join(ROOT, 'package.json'))('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  return client;
}
async function createSchema(databaseUrl, schema) {
  const client = await pgClient(databaseUrl);
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
}
async function dropSchemaQuietly(databaseUrl, schema) {
  try {
    const client = await pgClient(databaseUrl);
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await client.end();
    }
  } catch (error) {
    log(`bench: could not drop PostgreSQL schema ${schema}: ${error.message}`);
  }
}

/**
 * Scenario modules: a file in bench/ exporting `run(harness)` that answers a section
 * ({ id, title, lines: string[], results: [{ failures, disturbed, ... }] }). Registered
 * here by id; BENCH_ONLY picks them like any scenario. A module whose file is absent is
 * reported as not measured. See bench/README.md, "Adding a scenario module".
 */
const MODULES = [
  { id: 'scale', file: 'scale-out.mjs', title: 'one vs two Tessera instances on PostgreSQL' },
  { id: 'workers', file: 'workers.mjs', title: 'g. one vs two workers (tessera start --workers), client_credentials -> JWT' },
];

/** What a module gets: the runner's own machinery, so its figures are measured alike. */
function harness() {
  return {
    root: ROOT,
    bench: BENCH,
    quick: QUICK,
    settings: { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, connections: CONNECTIONS, pinned: HAS_TASKSET, serverCpu: SERVER_CPU, loaderCpu: LOADER_CPU },
    databaseUrl: process.env.DATABASE_URL,
    log,
    servers: SERVERS,
    scenarios: SCENARIOS,
    startServer,
    stopServer,
    discover,
    post,
    check,
    load,
    runLoad,
    leastDisturbed,
    measure,
    tesseraCli,
    memoryMB,
    processTree,
    seedSqlite,
    seedPostgres,
    resultRow,
    table,
    headers: HEADERS,
    fmt,
    fixtures: { BASIC, CLIENT_ID, JWT_API, REF_API, RS_BASIC, SCOPES, tesseraConfigYaml, tokenRequestBody },
  };
}

async function moduleSection(module) {
  const path = join(BENCH, module.file);
  if (!existsSync(path)) return undefined;
  log(`${module.id}: ${module.file} ...`);
  const imported = await import(pathToFileURL(path).href);
  if (typeof imported.run !== 'function') throw new Error(`${module.file} does not export run(harness)`);
  const section = await imported.run(harness());
  return { id: module.id, title: module.title, lines: [], results: [], ...section };
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
      (settings.pinned ? `server pinned to CPU ${SERVER_CPU}, load generator to CPU ${LOADER_CPU}` : 'NOT pinned (no taskset): figures are noisier') +
      (settings.quick ? `; --quick (flows ${settings.flowSeconds} s, stored tokens ${settings.storeSizes.map((n) => n.toLocaleString('en-US')).join(' and ')})` : ''),
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
    if (scenario.id === 'flow') {
      out.push(...flowReport(scenario, results));
      continue;
    }
    const rows = scenario.results.map((r) => resultRow(SERVERS[r.server].label, r));
    out.push(table(HEADERS, rows).replace(/^/gm, '  '));
    if (scenario.note) out.push(`  ${scenario.note}`);
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
    out.push(...notes(scenario.results.map((r) => [SERVERS[r.server].label, r]), settings.connections));
  }
  for (const section of results.sections ?? []) {
    out.push('');
    out.push(section.title);
    if (section.id === 'sdk') out.push(...sdkReport(section.sdk));
    else if (section.id === 'store') out.push(...storeReport(section, settings));
    else out.push(...(section.lines ?? []).map((l) => `  ${l}`));
  }
  out.push('');
  out.push(...memoryReport(results));
  out.push('');
  out.push(...goalsReport(results));
  out.push('');
  out.push(`not yet measured: ${results.notYetMeasured.join('; ')}`);
  return out.join('\n');
}

/** Notes under a table: a load generator at its limit, a server core that waits. */
function notes(labelled, connections) {
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

function flowReport(scenario, results) {
  const out = [];
  const headers = ['server', 'flows/s', 'p50 ms', 'p99 ms', 'CPU ms/flow', 'req/flow', 'RSS idle MB', 'RSS peak MB'];
  const rows = scenario.results.map((r) => {
    const label = SERVERS[r.server].label;
    if (r.error) return [`${label} (!)`, 'FAILED', '-', '-', '-', '-', '-', '-'];
    return [
      `${label}${r.failures > 0 ? ' (!)' : ''}${r.disturbed ? ' (~)' : ''}`,
      fmt.one(r.reqPerSec),
      fmt.int(r.p50ms),
      fmt.int(r.p99ms),
      fmt.one(r.cpuMicrosPerReq / 1000),
      fmt.one(r.requestsPerFlow),
      fmt.one(r.rssIdleMB),
      fmt.one(r.rssPeakMB),
    ];
  });
  out.push(table(headers, rows).replace(/^/gm, '  '));
  const ok = scenario.results.filter((r) => !r.error);
  const each = (f) => ok.map((r) => `${SERVERS[r.server].label} ${f(r)}`).join(', ');
  const rest = (r) => r.cpuMicrosPerReq / 1000 - r.scryptMs;
  out.push(
    `  password hash alone (scrypt N=2^${Math.log2(SCRYPT.N)}, r=${SCRYPT.r}, p=${SCRYPT.p}; one check per flow), CPU ms, measured on CPU ${SERVER_CPU} right before each server's run: ` +
      each((r) => `${fmt.one(r.scryptMs)}${r.scryptDisturbed ? ` (~ ${fmt.int(r.scryptForeignPercent)}% foreign)` : ''}`),
  );
  out.push(`  CPU per flow without the password hash: ${each((r) => `${fmt.one(rest(r))} ms`)}`);
  out.push(`  password hash share of the flow's CPU: ${each((r) => fmt.pct(r.scryptMs / (r.cpuMicrosPerReq / 1000)))}`);
  if (ok.some((r) => rest(r) <= 0)) {
    out.push('  (a share above 100%: scrypt is memory-hard, and alone it met other processes\' memory traffic; treat the split as rough on a shared machine)');
  }
  const tessera = ok.find((r) => r.server === 'tessera');
  for (const other of ok.filter((r) => r.server !== 'tessera')) {
    if (!tessera) break;
    out.push(
      `  Tessera / ${SERVERS[other.server].label}: flows/s ${fmt.x(tessera.reqPerSec / other.reqPerSec)}, CPU per flow ${fmt.x(tessera.cpuMicrosPerReq / other.cpuMicrosPerReq)}, ` +
        `CPU per flow without the password hash ${rest(tessera) > 0 && rest(other) > 0 ? fmt.x(rest(tessera) / rest(other)) : 'n/a (within the noise of the hash)'}`,
    );
  }
  out.push(
    `  ${FLOW_CONCURRENCY} browsers in flight, each flow a new cookie jar; Tessera: 5 requests a flow (authorize, sign-in page, sign-in POST -> consent page, ` +
      'consent POST -> redirect, token); oidc-provider: 8 (its /auth resumes after each interaction step). Same user, same stored scrypt hash, prompt=consent, ' +
      'an ES256 JWT access token and an RS256 ID token from each',
  );
  out.push(...notes(scenario.results.map((r) => [SERVERS[r.server].label, r]), FLOW_CONCURRENCY));
  return out;
}

function sdkReport(r) {
  const out = [];
  const floor = r.floor.perSecond;
  const headers = ['what', 'per second', 'µs each', 'vs floor'];
  const rows = [
    ['node:crypto ES256 verify (floor)', fmt.int(floor), fmt.ms(r.floor.usEach), '100.0%'],
    ['JWT cold: a new ES256 token each time', fmt.int(r.cold.perSecond), fmt.ms(r.cold.usEach), fmt.pct(r.cold.perSecond / floor)],
    ['JWT warm: the same token (SDK cache)', fmt.int(r.warm.perSecond), fmt.ms(r.warm.usEach), fmt.x(r.warm.perSecond / floor)],
    ['PAT, introspection cache warm', fmt.int(r.pat.perSecond), fmt.ms(r.pat.usEach), fmt.x(r.pat.perSecond / floor)],
  ];
  out.push(table(headers, rows).replace(/^/gm, '  '));
  out.push(
    `  one process on CPU ${SERVER_CPU}, no network: the issuer is an injected fetch (JWKS fetched ${r.jwksFetches} time(s), ${r.introspections} introspection(s)); ` +
      `cold tokens are pre-signed (${fmt.int(r.coldTokens)}), their signing not measured; ${r.failures} refused`,
  );
  if (r.disturbed) out.push(`  (~) perturbed: other processes used ${fmt.int(r.foreignServerCorePercent)}% of the core during these loops`);
  if (r.failures) out.push(`  !!! ${r.failures} credentials were refused: do not trust these figures`);
  return out;
}

function storeReport(section, settings) {
  const out = [];
  const headers = ['store', 'stored tokens', 'request', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'RSS idle MB', 'RSS peak MB'];
  const rows = section.store.map((r) => {
    const head = [r.backend, fmt.int(r.size), r.what === 'issue' ? 'issue reference token' : 'introspect stored token'];
    if (r.error) return [...head.slice(0, 2), `${head[2]} (!)`, 'FAILED', '-', '-', '-', '-', '-'];
    const row = resultRow('', r);
    return [...head.slice(0, 2), `${head[2]}${row[0]}`, ...row.slice(1)];
  });
  out.push(table(headers, rows).replace(/^/gm, '  '));
  for (const backend of [...new Set(section.store.map((r) => r.backend))]) {
    const mine = section.store.filter((r) => r.backend === backend && !r.error);
    const sizes = [...new Set(mine.map((r) => r.size))].sort((a, b) => a - b);
    if (sizes.length < 2) continue;
    const [small, large] = [sizes[0], sizes[sizes.length - 1]];
    for (const what of ['issue', 'introspect']) {
      const a = mine.find((r) => r.size === small && r.what === what);
      const b = mine.find((r) => r.size === large && r.what === what);
      if (!a || !b) continue;
      out.push(
        `  ${backend} ${what}: ${fmt.int(large)} vs ${fmt.int(small)} stored tokens: req/s ${fmt.x(b.reqPerSec / a.reqPerSec)} ` +
          `(${fmt.pct(1 - b.reqPerSec / a.reqPerSec)} lost), CPU µs/req ${fmt.x(b.cpuMicrosPerReq / a.cpuMicrosPerReq)}`,
      );
    }
    const seeds = mine.filter((r) => r.what === 'issue').map((r) => `${fmt.int(r.size)} in ${fmt.one(r.seedSeconds)} s`);
    out.push(`  ${backend} seeded by a direct bulk insert through the store's schema: ${seeds.join(', ')}`);
  }
  out.push(`  introspection cycles through ${fmt.int(STORE_SAMPLE)} real tokens spread evenly through the table (fewer when the table is smaller)`);
  if (section.skipped) out.push(`  not run: ${section.skipped}`);
  out.push(...notes(section.store.map((r) => [`${r.backend} ${fmt.int(r.size)} ${r.what}`, r]), settings.connections));
  return out;
}

/** Every run's idle and peak RSS, per server. */
function memoryReport(results) {
  const runs = [];
  const add = (label, where, r) => {
    if (r && !r.error && (Number.isFinite(r.rssIdleMB) || r.keepPeak)) runs.push({ label, where, idle: r.rssIdleMB, peak: r.rssPeakMB });
  };
  add('raw node:http', 'floor', results.floors.rawHttp);
  add('node:http + ES256', 'floor', results.floors.signHttp);
  for (const scenario of results.scenarios) for (const r of scenario.results) add(SERVERS[r.server].label, scenario.id, r);
  for (const section of results.sections ?? []) {
    if (section.id === 'store') {
      for (const r of section.store) add(`Tessera (${r.backend}, ${fmt.int(r.size)} tokens)`, `store ${r.what}`, r);
    }
  }
  const labels = [...new Set(runs.map((r) => r.label))];
  const rows = labels.map((label) => {
    const mine = runs.filter((r) => r.label === label);
    const idle = mine.map((r) => r.idle).filter(Number.isFinite);
    const peak = mine.reduce((a, b) => (b.peak > a.peak ? b : a));
    return [label, String(mine.length), `${fmt.one(Math.min(...idle))} - ${fmt.one(Math.max(...idle))}`, `${fmt.one(peak.peak)} (${peak.where})`];
  });
  return ['h. memory per server: RSS idle (after start-up and one request) and peak (under load), over every run above', table(['server', 'runs', 'RSS idle MB', 'RSS peak MB (in)'], rows).replace(/^/gm, '  ')];
}

/** The goals of issue 9, checked against this run's figures. */
function goalsReport(results) {
  const out = ['Goals (issue 9), from this run'];
  const scenario = (id) => results.scenarios.find((s) => s.id === id);
  const server = (id, serverId) => scenario(id)?.results.find((r) => r.server === serverId && !r.error);
  const line = (goal, value, holds) => out.push(`  [${holds === undefined ? ' n/a ' : holds ? 'holds' : ' MISS'}] ${goal}: ${value}`);
  const jwt = server('jwt', 'tessera');
  const jwtOidc = server('jwt', 'oidc-provider');
  if (jwt) line('client_credentials JWT ES256 >= 6,000 req/s on one core', `${fmt.int(jwt.reqPerSec)} req/s`, jwt.reqPerSec >= 6000);
  if (jwt && jwtOidc) line('... and >= 4x oidc-provider', `${fmt.x(jwt.reqPerSec / jwtOidc.reqPerSec)}`, jwt.reqPerSec / jwtOidc.reqPerSec >= 4);
  const ref = server('reference', 'tessera');
  if (ref) line('reference-token issuance >= 5,000/s, durable (SQLite, WAL, synchronous=NORMAL)', `${fmt.int(ref.reqPerSec)} req/s`, ref.reqPerSec >= 5000);
  const intro = server('introspect', 'tessera');
  if (intro) line('introspection >= 10,000/s (reference token)', `${fmt.int(intro.reqPerSec)} req/s`, intro.reqPerSec >= 10000);
  const pat = server('pat', 'tessera');
  if (pat) line('introspection >= 10,000/s (PAT)', `${fmt.int(pat.reqPerSec)} req/s`, pat.reqPerSec >= 10000);
  const sdk = results.sections?.find((s) => s.id === 'sdk')?.sdk;
  if (sdk) {
    line('SDK warm verification >= 200,000/s in process', `${fmt.int(sdk.warm.perSecond)}/s`, sdk.warm.perSecond >= 200_000);
    line('SDK cold verification >= 85% of the node:crypto verify floor', fmt.pct(sdk.cold.perSecond / sdk.floor.perSecond), sdk.cold.perSecond / sdk.floor.perSecond >= 0.85);
  }
  const idle = [];
  for (const s of results.scenarios) for (const r of s.results) if (r.server === 'tessera' && !r.error) idle.push(r.rssIdleMB);
  if (idle.length) line('Tessera idle RSS <= 80 MB', `${fmt.one(Math.min(...idle))} - ${fmt.one(Math.max(...idle))} MB over ${idle.length} start-ups`, Math.max(...idle) <= 80);
  const store = results.sections?.find((s) => s.id === 'store');
  if (store) {
    for (const backend of [...new Set(store.store.map((r) => r.backend))]) {
      const mine = store.store.filter((r) => r.backend === backend && !r.error);
      const sizes = [...new Set(mine.map((r) => r.size))].sort((a, b) => a - b);
      if (sizes.length < 2) continue;
      const [small, large] = [sizes[0], sizes[sizes.length - 1]];
      for (const what of ['issue', 'introspect']) {
        const a = mine.find((r) => r.size === small && r.what === what);
        const b = mine.find((r) => r.size === large && r.what === what);
        if (!a || !b) continue;
        const lost = 1 - b.reqPerSec / a.reqPerSec;
        line(
          `${fmt.int(large)} stored tokens cost <= 10% of the throughput at ${fmt.int(small)} (${backend}, ${what})${large < 1_000_000 ? ' [the goal is about 1M: run without --quick]' : ''}`,
          `${fmt.pct(lost)} lost`,
          lost <= 0.1,
        );
      }
    }
  }
  const marked = [...results.scenarios.flatMap((s) => s.results), ...(results.sections ?? []).flatMap((s) => s.results ?? [])].some((r) => r.disturbed);
  if (marked) out.push('  (some runs above are marked (~): other processes shared the cores; judge those goals on a quiet run)');
  return out;
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
    settings: { quick: QUICK, connections: CONNECTIONS, warmupSeconds: WARMUP_SECONDS, seconds: SECONDS, flowSeconds: FLOW_SECONDS, storeSizes: STORE_SIZES, pinned: HAS_TASKSET, clockTicks: CLK_TCK },
    floors: {},
    scenarios: [],
    notYetMeasured: NOT_YET_MEASURED,
  };
  if (!HAS_TASKSET) log('bench: taskset not found (or CPUs 0,1 not available): running unpinned');
  const known = new Set([...SCENARIOS.map((x) => x.id), 'sdk', 'store', ...MODULES.map((m) => m.id)]);
  for (const id of ONLY ?? []) {
    if (!known.has(id)) {
      log(`bench: BENCH_ONLY: unknown scenario ${id} (known: ${[...known].join(', ')})`);
      process.exit(2);
    }
  }

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

  const wanted = (id) => !ONLY || ONLY.has(id);
  results.sections = [];
  if (wanted('sdk')) {
    log('sdk: resource-server SDK in process ...');
    try {
      results.sections.push(await sdkSection());
    } catch (error) {
      log(`  !!! sdk failed: ${error.message}`);
      results.sections.push({ id: 'sdk-failed', title: 'f. resource-server SDK in process', lines: [`!!! FAILED: ${error.message}`], results: [{ failures: 1 }] });
    }
  }
  if (wanted('store')) results.sections.push(await storeSection());
  for (const module of MODULES) {
    if (!wanted(module.id)) continue;
    let section;
    try {
      section = await moduleSection(module);
    } catch (error) {
      log(`  !!! ${module.id} failed: ${error.message}`);
      section = { id: module.id, title: module.title, lines: [`!!! FAILED: ${error.message}`], results: [{ failures: 1 }] };
    }
    if (section) {
      results.sections.push(section);
      results.notYetMeasured = results.notYetMeasured.filter((n) => !n.includes(`(${module.id};`));
    }
  }

  if (JSON_OUT) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else process.stdout.write(`${report(results)}\n`);

  const all = [
    results.floors.rawHttp,
    results.floors.es256,
    results.floors.signHttp,
    ...(results.floors.scrypt ? [results.floors.scrypt] : []),
    ...results.scenarios.flatMap((s) => s.results),
    ...results.sections.flatMap((s) => s.results ?? []),
  ];
  if (all.some((r) => r.disturbed)) log('bench: some runs were disturbed by other processes on the benchmark cores (marked ~)');
  const failed = all.some((r) => r.failures > 0);
  if (failed) {
    log('bench: some runs had failed responses (see above); exit code 1');
    process.exitCode = 1;
  }
}

await main();
