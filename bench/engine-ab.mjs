#!/usr/bin/env node
/**
 * Engine A/B: the CPU of reference-token issuance and introspection in the engine and
 * its store alone, with no HTTP in between. bench/ab.mjs measures whole servers under
 * autocannon, where parsing, routing and writing responses are much of a request and
 * the load generator shares the machine; here the engines are created in one process
 * (each build from ROOT/dist), fed EngineRequests directly, and charged the process's
 * CPU (process.cpuUsage) per operation.
 *
 *   node bench/engine-ab.mjs ROOT [ROOT ...]          # e.g. node bench/engine-ab.mjs /tmp/before .
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node bench/engine-ab.mjs .
 *
 * One engine per ROOT and store (SQLite in a temporary file; PostgreSQL, when
 * DATABASE_URL is set, in a schema of its own, dropped afterwards). They run in turns:
 * ROUNDS rounds, each giving every engine one slice of SLICE operations (the first
 * engine of a round rotates), so that a machine whose load changes disturbs every
 * engine alike, and the PostgreSQL ÷ SQLite ratio is measured in the same minutes.
 * Issuance: client_credentials for the reference-token API with client_secret_basic,
 * CONC requests in flight (ab.mjs's 50 connections), each token audited, the audit
 * queue flushed inside the slice. Introspection: the tokens issued before, a different
 * stored token each time, by the client that obtained them. For PostgreSQL the CPU of
 * the backends serving each engine is read from /proc (the database must run on this
 * machine) and reported apart.
 *
 * Environment: SLICE (operations per slice, default 2,000), ROUNDS (default 10), WARM
 * (warm-up operations per engine and operation, default 5,000), CONC (in flight,
 * default 50), STORES (default sqlite, plus postgres when DATABASE_URL is set), SEED
 * (tokens issued before anything is measured, so the table is not small, default
 * 20,000), CPU (the core the process is pinned to with taskset, default 0; none for no
 * pinning), PROF=DIR (V8 CPU profiles of the measured slices, one file per engine and
 * operation, taken with node:inspector so set-up and warm-up stay out;
 * bench/prof-summary.mjs reads them).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BASIC, REF_API, tesseraConfigYaml, tokenRequestBody } from './lib/fixtures.mjs';
import { createSchema, dropSchemaQuietly } from './lib/pg-schema.mjs';

const SELF = fileURLToPath(import.meta.url);
const env = process.env;
const roots = process.argv.slice(2).filter((a) => a !== '--pinned').map((r) => resolve(r));
if (roots.length === 0) {
  console.error('usage: node bench/engine-ab.mjs ROOT [ROOT ...]');
  process.exit(2);
}
// Pin this process (re-run under taskset once).
const cpu = env.CPU ?? '0';
if (cpu !== 'none' && !process.argv.includes('--pinned')) {
  const run = spawnSync('taskset', ['-c', cpu, process.execPath, SELF, ...process.argv.slice(2), '--pinned'], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

const slice = Number(env.SLICE ?? 2_000);
const rounds = Number(env.ROUNDS ?? 10);
const warm = Number(env.WARM ?? 5_000);
const conc = Number(env.CONC ?? 50);
const seed = Number(env.SEED ?? 20_000);
const databaseUrl = env.DATABASE_URL;
const storeKinds = (env.STORES ?? (databaseUrl ? 'sqlite,postgres' : 'sqlite')).split(',');
if (storeKinds.includes('postgres') && !databaseUrl) {
  console.error('engine-ab: STORES has postgres but DATABASE_URL is not set');
  process.exit(2);
}
const profileDir = env.PROF ? resolve(env.PROF) : undefined;

const engines = [];
for (const root of roots) for (const kind of storeKinds) engines.push(await openEngine(root, kind));
try {
  for (const e of engines) {
    await e.run(e.issue, seed + warm);
    await e.run(e.introspect, warm);
  }
  for (const op of ['issue', 'introspect']) {
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < engines.length; i++) {
        const e = engines[(i + round) % engines.length];
        const measured = await profiled(e, op, () => e.measure(e[op], slice));
        e.slices[op].push(measured);
      }
    }
  }
} finally {
  for (const e of engines) await e.close();
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const total = (list, key) => list.reduce((sum, s) => sum + s[key], 0) / list.length;
console.log(
  `engine A/B: ${rounds} slices of ${slice} operations per engine and operation, ${conc} in flight, ${seed + warm} tokens issued before; CPU µs per operation: mean of the slices (median slice)`,
);
for (const e of engines) {
  const line = ['issue', 'introspect'].map((op) => {
    const list = e.slices[op];
    const db = e.schema ? `, PostgreSQL backends ${total(list, 'dbUs').toFixed(1)}` : '';
    return `${op} ${total(list, 'cpuUs').toFixed(1)} (${median(list.map((s) => s.cpuUs)).toFixed(1)})${db}`;
  });
  console.log(`${e.root} ${e.kind}: ${line.join('; ')}`);
}
for (const root of roots) {
  const sqlite = engines.find((e) => e.root === root && e.kind === 'sqlite');
  const pg = engines.find((e) => e.root === root && e.kind === 'postgres');
  if (!sqlite || !pg) continue;
  const ratio = (op) => (total(pg.slices[op], 'cpuUs') / total(sqlite.slices[op], 'cpuUs')).toFixed(2);
  console.log(`${root} PostgreSQL ÷ SQLite (engine process CPU): issue ${ratio('issue')}x, introspect ${ratio('introspect')}x`);
}

/** One build's engine on one store, with its two operations and what was measured of them. */
async function openEngine(root, kind) {
  const dist = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
  const [{ AuthorizationServer }, { pageViews }, { parseConfigText }, { Params }] = await Promise.all([
    dist('core/authorization-server.js'),
    dist('pages/page-views.js'),
    dist('core/config/load.js'),
    dist('core/request.js'),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-engine-ab-'));
  const schema = kind === 'postgres' ? `eab_${randomBytes(6).toString('hex')}` : undefined;
  let store;
  if (schema) {
    await createSchema(databaseUrl, schema);
    const { PostgresStore } = await dist('stores/postgres/postgres-store.js');
    const named = new URL(databaseUrl);
    named.searchParams.set('application_name', schema); // finds this engine's backends (the database's CPU)
    store = new PostgresStore({ connectionString: named.href, schema });
  } else {
    const { SqliteStore } = await dist('stores/sqlite/sqlite-store.js');
    store = new SqliteStore(join(dir, 'tessera.db'));
  }
  const issuer = 'http://127.0.0.1:9000';
  const engine = await AuthorizationServer.create({ issuer, store, masterKey: randomBytes(32), views: pageViews });
  await engine.apply(parseConfigText(tesseraConfigYaml(), 'bench.yaml'));
  await engine.audit.flush();

  const request = (path, body) => ({
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
    params: Params.fromUrlEncoded(body),
    endpointUrl: `${issuer}${path}`,
    ip: '127.0.0.1',
  });
  const tokens = [];
  let next = 0;
  const issueBody = tokenRequestBody(REF_API);
  const e = {
    root,
    kind,
    schema,
    backends: [],
    slices: { issue: [], introspect: [] },
    issue: async () => {
      const response = await engine.endpoints.token(request('/token', issueBody));
      if (response.status !== 200) throw new Error(`token endpoint answered ${response.status}`);
      tokens.push(response.body.access_token);
    },
    introspect: async () => {
      const token = tokens[next++ % tokens.length];
      const response = await engine.endpoints.introspect(request('/introspect', new URLSearchParams({ token }).toString()));
      if (response.status !== 200 || response.body.active !== true) throw new Error(`introspection answered ${response.status} ${JSON.stringify(response.body)}`);
    },
    /** `count` operations, `conc` in flight, then the audit queue written. */
    run: async (operation, count) => {
      let started = 0;
      const lane = async () => {
        while (started < count) {
          started++;
          await operation();
        }
      };
      await Promise.all(Array.from({ length: Math.min(conc, count) }, lane));
      await engine.audit.flush(); // the audit records of these operations are part of their cost
    },
    measure: async (operation, count) => {
      // The pool closes idle connections while other engines take their turns: find this engine's backends at every slice.
      if (schema) e.backends = await backendPids(schema);
      const dbBefore = new Map(e.backends.map((pid) => [pid, cpuOf(pid)]));
      const wallBefore = process.hrtime.bigint();
      const before = process.cpuUsage();
      await e.run(operation, count);
      const used = process.cpuUsage(before);
      const wallUs = Number(process.hrtime.bigint() - wallBefore) / 1000;
      // A backend opened during the slice counts from its start.
      const dbAfter = schema ? await backendPids(schema) : [];
      const dbUs = dbAfter.reduce((sum, pid) => sum + Math.max(0, cpuOf(pid) - (dbBefore.get(pid) ?? 0)), 0);
      return { cpuUs: (used.user + used.system) / count, systemUs: used.system / count, dbUs: dbUs / count, perSecond: count / (wallUs / 1e6) };
    },
    close: async () => {
      await engine.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      if (schema) await dropSchemaQuietly(databaseUrl, schema);
    },
  };
  return e;
}

/** With PROF: the V8 CPU profile of one measured slice, added to the engine's file for that operation. */
async function profiled(e, op, run) {
  if (!profileDir) return run();
  const session = new Session();
  session.connect();
  const post = (method, params) => new Promise((done, fail) => session.post(method, params, (error, result) => (error ? fail(error) : done(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 }); // µs: a slice lasts a fraction of a second
  await post('Profiler.start');
  const result = await run();
  const { profile } = await post('Profiler.stop');
  session.disconnect();
  const dir = join(profileDir, `${basename(e.root)}-${e.kind}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${op}-${e.slices[op].length}.cpuprofile`), JSON.stringify(profile));
  return result;
}

/** The PostgreSQL backends whose application_name is `name`. */
async function backendPids(name) {
  const pg = createRequire(join(SELF, '..', '..', 'package.json'))('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [name])).rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

/** A process's user + system CPU in µs (fields 14 and 15 of /proc/PID/stat, 100 ticks a second); 0 once it ended. */
function cpuOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return 0;
  }
}
