#!/usr/bin/env node
/**
 * Scale-out figures: client_credentials throughput of one and of two Tessera
 * instances on PostgreSQL, and what PostgreSQL adds to a request's latency compared
 * with the embedded SQLite store. Runs alone, or as the `scale` scenario of bench/run.mjs
 * (which imports it and calls `run`).
 *
 *   npm --prefix bench ci && npm run build && node bench/scale-out.mjs [--json]
 *   BENCH_FROM_SOURCE=1 node bench/scale-out.mjs     # runs src/ through tsx, no build needed
 *
 * Environment: BENCH_DATABASE_URL (default TESSERA_TEST_DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/test; a random schema is created and dropped),
 * BENCH_SECONDS (measured seconds per run, default 3), BENCH_WARMUP_SECONDS (1),
 * BENCH_CONNECTIONS (50, split evenly over the instances), BENCH_SETUPS (e.g.
 * "postgres:1,postgres:2"; default all three), BENCH_PIN=0 (pin nothing: the
 * instances, the load and PostgreSQL then share every core).
 *
 * How: every Tessera instance is its own process, pinned to CPU 0 when `taskset`
 * exists (as in run.mjs, so two instances share one core: pinned, the "two instances"
 * row shows the cost of coordination, not added capacity); the autocannon load
 * (lib/load.mjs) runs pinned to CPU 1, one
 * load process per instance, started together, their req/s summed. PostgreSQL is not
 * pinned: it competes with whatever runs. Latency rows use one connection (one request
 * at a time), so they show the cost of a request without queueing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { BASIC, JWT_API, REF_API, tesseraConfigYaml, tokenRequestBody } from './lib/fixtures.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
const JSON_OUT = process.argv.includes('--json');
let DATABASE_URL = process.env.BENCH_DATABASE_URL || process.env.TESSERA_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = number('BENCH_SECONDS', 3);
const WARMUP = number('BENCH_WARMUP_SECONDS', 1);
const CONNECTIONS = number('BENCH_CONNECTIONS', 50);
const FROM_SOURCE = process.env.BENCH_FROM_SOURCE === '1';
const HAS_TASKSET = process.env.BENCH_PIN !== '0' && process.platform === 'linux' && spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }).status === 0;
const log = (line) => process.stderr.write(`${line}\n`);

function number(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > 120) {
    console.error(`bench: ${name} must be a number above 0 and at most 120; got ${raw}`);
    process.exit(2);
  }
  return n;
}

const children = new Set();
process.once('exit', () => children.forEach((c) => c.kill('SIGKILL')));
const pinned = (cpu, argv) => (HAS_TASKSET ? ['taskset', '-c', cpu, ...argv] : argv);

function startTessera(label, env, configFile) {
  const entry = FROM_SOURCE ? ['--import', 'tsx', join(ROOT, 'test', 'support', 'cli-entry.ts')] : [join(ROOT, 'bin', 'tessera.js')];
  const argv = [process.execPath, ...entry, 'start', '--port', '0', '--host', '127.0.0.1', ...(configFile ? ['--config', configFile] : [])];
  const [command, ...args] = pinned('0', argv);
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production', TESSERA_LOG_LEVEL: 'silent', TESSERA_WORKERS: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start within 60 s\n${output}`)), 60_000);
    const collect = (chunk) => {
      output += chunk;
      const match = /listening\s+(http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`${label} exited (${code}) before listening\n${output}`)));
  });
}

async function stop(server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

/** One load process against one instance: warm-up, then the measured phase. */
function load(url, api, connections, verify) {
  const spec = {
    url: `${url}/token`,
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
    body: tokenRequestBody(api),
    connections,
    warmupSeconds: WARMUP,
    seconds: SECONDS,
    verify,
  };
  const [command, ...args] = pinned('1', [process.execPath, join(BENCH, 'lib', 'load.mjs'), JSON.stringify(spec)]);
  const child = spawn(command, args, { cwd: BENCH, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let buffered = '';
  let result;
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  return {
    warm: new Promise((resolveWarm) => {
      child.stdout.on('data', (chunk) => {
        buffered += chunk;
        for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
          const message = JSON.parse(buffered.slice(0, i));
          buffered = buffered.slice(i + 1);
          if (message.event === 'warm') resolveWarm();
          else if (message.event === 'result') result = message;
        }
      });
    }),
    go: () => child.stdin.write('go\n'),
    done: new Promise((resolve, reject) =>
      child.once('exit', (code) => {
        children.delete(child);
        if (code === 0 && result) resolve(result);
        else reject(new Error(`load generator exited ${code}\n${stderr}`));
      }),
    ),
  };
}

/** Runs loads on all instances at once (warm-ups together, measured phases together) and sums them. */
async function measure(instances, api, connections) {
  const verify = api === JWT_API ? 'jwt' : 'token';
  const per = Math.max(1, Math.floor(connections / instances.length));
  const loads = instances.map((i) => load(i.url, api, per, verify));
  await Promise.all(loads.map((l) => l.warm));
  loads.forEach((l) => l.go());
  const results = await Promise.all(loads.map((l) => l.done));
  const failed = results.reduce((n, r) => n + (r.non2xx ?? 0) + (r.errors ?? 0) + (r.timeouts ?? 0) + (r.mismatches ?? 0), 0);
  return {
    reqPerSec: results.reduce((n, r) => n + r.ok / r.seconds, 0),
    p50: Math.max(...results.map((r) => r.p50ms)),
    p99: Math.max(...results.map((r) => r.p99ms)),
    failed,
  };
}

async function withSetup(kind, count, fn) {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-scale-bench-'));
  const configFile = join(dir, 'bench.yaml');
  writeFileSync(configFile, tesseraConfigYaml());
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  // DATABASE_URL is cleared for the SQLite setup: run as the `scale` module, the bench's
  // own environment has it set, and Tessera (which still reads it, as the deprecated name
  // of TESSERA_DATABASE_URL) would otherwise use PostgreSQL's public schema.
  const env = { TESSERA_MASTER_KEY: randomBytes(32).toString('hex'), TESSERA_DATA_DIR: dir, DATABASE_URL: '', TESSERA_DATABASE_URL: '' };
  if (kind === 'postgres') Object.assign(env, { TESSERA_DATABASE_URL: DATABASE_URL, TESSERA_DATABASE_SCHEMA: schema });
  const instances = [];
  try {
    instances.push(await startTessera(`${kind} #1`, env, configFile));
    for (let i = 1; i < count; i += 1) instances.push(await startTessera(`${kind} #${i + 1}`, env));
    return await fn(instances);
  } finally {
    await Promise.all(instances.map(stop));
    rmSync(dir, { recursive: true, force: true });
    if (kind === 'postgres') {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  }
}

const ALL_SETUPS = [
  { store: 'sqlite', instances: 1 },
  { store: 'postgres', instances: 1 },
  { store: 'postgres', instances: 2 },
];
// BENCH_SETUPS=postgres:1,postgres:2 runs only those.
const SETUPS = process.env.BENCH_SETUPS ? ALL_SETUPS.filter((s) => process.env.BENCH_SETUPS.split(',').includes(`${s.store}:${s.instances}`)) : ALL_SETUPS;
const TOKENS = [
  { id: 'jwt', api: JWT_API },
  { id: 'reference', api: REF_API },
];

/** Every setup, each token format, at full load and (one instance) one request at a time. */
async function measureAll() {
  const rows = [];
  log(`bench: ${cpus().length} cores; servers ${HAS_TASKSET ? 'on CPU 0, load on CPU 1' : 'not pinned (no taskset)'}; PostgreSQL unpinned; ${SECONDS} s per run after ${WARMUP} s warm-up`);
  for (const setup of SETUPS) {
    await withSetup(setup.store, setup.instances, async (instances) => {
      for (const token of TOKENS) {
        log(`bench: ${setup.store} x${setup.instances}, ${token.id}, ${CONNECTIONS} connections`);
        rows.push({ ...setup, token: token.id, connections: CONNECTIONS, ...(await measure(instances, token.api, CONNECTIONS)) });
        if (setup.instances === 1) {
          log(`bench: ${setup.store} x1, ${token.id}, 1 connection`);
          rows.push({ ...setup, token: token.id, connections: 1, ...(await measure(instances, token.api, 1)) });
        }
      }
    });
  }
  return rows;
}

/** The table and the two ratios, as lines. */
function report(rows) {
  const pad = (s, n) => String(s).padEnd(n);
  const num = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  const lines = [`${pad('store', 9)}${pad('instances', 10)}${pad('token', 10)}${pad('conns', 6)}${pad('req/s', 8)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}failed`];
  for (const r of rows) {
    lines.push(`${pad(r.store, 9)}${pad(r.instances, 10)}${pad(r.token, 10)}${pad(r.connections, 6)}${pad(num(r.reqPerSec), 8)}${pad(num(r.p50, 2), 8)}${pad(num(r.p99, 2), 8)}${r.failed}`);
  }
  const find = (store, instances, token, connections) => rows.find((r) => r.store === store && r.instances === instances && r.token === token && r.connections === connections);
  lines.push('');
  for (const token of SETUPS.length === ALL_SETUPS.length ? TOKENS.map((t) => t.id) : []) {
    const one = find('postgres', 1, token, CONNECTIONS);
    const two = find('postgres', 2, token, CONNECTIONS);
    const lite = find('sqlite', 1, token, 1);
    const pgLat = find('postgres', 1, token, 1);
    lines.push(`${token}: two instances / one on PostgreSQL = ${num(two.reqPerSec / one.reqPerSec, 2)}x; PostgreSQL adds ${num(pgLat.p50 - lite.p50, 2)} ms at p50 (one request at a time)`);
  }
  if (rows.some((r) => r.failed > 0)) lines.push('!!! some runs had failed responses: their figures are not results');
  return lines;
}

/**
 * The `scale` scenario of bench/run.mjs: a section with the table as lines. Runs only
 * when DATABASE_URL names a PostgreSQL database, like the store-scale scenario's
 * PostgreSQL rows, so that `npm run bench` needs no database.
 */
export async function run(harness) {
  if (!harness.databaseUrl) return { lines: ['not run: set DATABASE_URL=postgres://... to measure one vs two instances on PostgreSQL'], results: [] };
  DATABASE_URL = harness.databaseUrl;
  const rows = await measureAll();
  return { lines: report(rows), results: rows.map((r) => ({ ...r, failures: r.failed, disturbed: false })) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await measureAll();
  if (JSON_OUT) process.stdout.write(`${JSON.stringify({ cores: cpus().length, pinned: HAS_TASKSET, seconds: SECONDS, rows }, null, 2)}\n`);
  else console.log(`\n${report(rows).join('\n')}`);
  process.exitCode = rows.some((r) => r.failed > 0) ? 1 : 0;
}
