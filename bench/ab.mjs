#!/usr/bin/env node
/**
 * A/B: Tessera builds side by side under the same client_credentials load, alternating
 * in rounds so that a noisy machine disturbs every build alike. Each ROOT is a checkout
 * with `dist/` built (e.g. `git worktree add /tmp/a <rev> && ln -s "$PWD/node_modules"
 * /tmp/a/node_modules && (cd /tmp/a && npx tsc -p tsconfig.build.json)`).
 *
 *   node bench/ab.mjs ROOT [ROOT ...]        # e.g. node bench/ab.mjs /tmp/before .
 *
 * Environment: SECS (measured seconds per run, default 5), ROUNDS (default 3),
 * API=ref for reference tokens (default: JWT ES256), API=sdk for the resource-server SDK
 * in process (lib/sdk.mjs on CPU 0: cold and warm CPU µs per token, and cold against
 * the node:crypto verify floor measured in the same run), API=introspect for introspection
 * of one reference token by the client that obtained it. PG=postgres://... runs Tessera
 * on PostgreSQL, each run in a new schema (dropped afterwards), and adds the CPU of the
 * PostgreSQL backends serving it (found by application_name; /proc, so the database must
 * run on this machine). PROF=DIR writes each
 * server's CPU profile (node --cpu-prof) under DIR. Prints, per build, the median
 * req/s, CPU µs per request (user + system, /proc) and its kernel part. Pins the server
 * to CPU 0 and the load to CPU 1 (taskset, Linux).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { BASIC, JWT_API, REF_API, tesseraConfigYaml, tokenRequestBody } from './lib/fixtures.mjs';
import { createSchema, dropSchemaQuietly } from './lib/pg-schema.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const AUTOCANNON = join(BENCH, 'node_modules', '.bin', 'autocannon');
const roots = process.argv.slice(2).map((r) => resolve(r));
if (roots.length === 0) {
  console.error('usage: node bench/ab.mjs ROOT [ROOT ...]');
  process.exit(2);
}
const secs = Number(process.env.SECS ?? 5);
const rounds = Number(process.env.ROUNDS ?? 3);
const introspection = process.env.API === 'introspect';
const api = process.env.API === 'ref' || introspection ? REF_API : JWT_API;
// utime and stime (fields 14 and 15 of /proc/PID/stat), in µs at 100 ticks a second.
const times = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { cpu: (Number(f[11]) + Number(f[12])) * 10_000, sys: Number(f[12]) * 10_000 };
};
const load = (port, seconds, path = '/token', body = tokenRequestBody(api)) =>
  JSON.parse(
    execFileSync('taskset', ['-c', '1', AUTOCANNON, '-j', '-c', '50', '-d', String(seconds), '-m', 'POST', '-H', `authorization=${BASIC}`, '-H', 'content-type=application/x-www-form-urlencoded', '-b', body, `http://127.0.0.1:${port}${path}`], { maxBuffer: 1e8 }).toString(),
  );

if (process.env.API === 'sdk') {
  const runs = new Map(roots.map((r) => [r, []]));
  for (let round = 0; round < rounds; round++) {
    for (const root of roots) {
      const out = execFileSync('taskset', ['-c', '0', process.execPath, join(BENCH, 'lib', 'sdk.mjs'), JSON.stringify({ root, seconds: secs })], { maxBuffer: 1e8 }).toString();
      const r = JSON.parse(out);
      const run = { ratio: r.floor.usEach / r.cold.usEach, cold: r.cold.usEach, floor: r.floor.usEach, warm: r.warm.usEach, failed: r.failures };
      runs.get(root).push(run);
      console.error(`${root}: cold ${run.cold.toFixed(1)} µs, floor ${run.floor.toFixed(1)} µs, ratio ${run.ratio.toFixed(3)}, warm ${run.warm.toFixed(2)} µs`);
    }
  }
  for (const [root, rs] of runs) {
    const median = (k) => rs.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(rs.length / 2)];
    const failed = rs.reduce((n, x) => n + x.failed, 0);
    console.log(`${root}: median cold/floor ${median('ratio').toFixed(3)}, cold ${median('cold').toFixed(1)} CPU µs, warm ${median('warm').toFixed(2)} CPU µs${failed ? `, ${failed} FAILED` : ''}`);
  }
  process.exit(0);
}

/** The pids of the PostgreSQL backends whose application_name is `name` (after the warm-up, the pool is full). */
async function backendPids(name) {
  const pg = createRequire(join(BENCH, '..', 'package.json'))('pg');
  const client = new pg.Client({ connectionString: process.env.PG });
  await client.connect();
  try {
    return (await client.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [name])).rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

const results = new Map(roots.map((r) => [r, []]));
for (let round = 0; round < rounds; round++) {
  for (const root of roots) {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-ab-'));
    writeFileSync(join(dir, 'bench.yaml'), tesseraConfigYaml());
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const env = {};
    const schema = process.env.PG ? `ab_${randomBytes(6).toString('hex')}` : undefined;
    if (schema) {
      await createSchema(process.env.PG, schema);
      const url = new URL(process.env.PG);
      url.searchParams.set('options', `-c search_path=${schema}`);
      url.searchParams.set('application_name', schema); // finds this server's backends (database CPU)
      env.TESSERA_DATABASE_URL = url.href;
      env.TESSERA_MASTER_KEY = randomBytes(32).toString('hex');
    }
    const profile = process.env.PROF ? [`--cpu-prof`, `--cpu-prof-dir=${join(resolve(process.env.PROF), `${root.replaceAll('/', '_')}-${round}`)}`] : [];
    const child = spawn('taskset', ['-c', '0', process.execPath, ...profile, join(root, 'bin/tessera.js'), 'start', '--config', join(dir, 'bench.yaml'), '--data', join(dir, 'data'), '--port', String(port)], {
      env: { ...process.env, TESSERA_LOG_LEVEL: 'silent', NODE_ENV: 'production', TESSERA_WORKERS: '1', ...env },
      stdio: 'ignore',
    });
    for (let i = 0; i < 600; i++) {
      try {
        // /readyz: 200 once the store answers (on PostgreSQL, after the migrations and keys)
        if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) break;
        await new Promise((r) => setTimeout(r, 100));
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    let target = ['/token', tokenRequestBody(api)];
    if (introspection) {
      const minted = await fetch(`http://127.0.0.1:${port}/token`, { method: 'POST', headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' }, body: tokenRequestBody(api) });
      const text = await minted.text();
      if (minted.status !== 200) throw new Error(`POST /token answered ${minted.status}: ${text}`);
      target = ['/introspect', new URLSearchParams({ token: JSON.parse(text).access_token }).toString()];
    }
    load(port, 2, ...target); // warm-up
    // The PostgreSQL backends serving this server (same machine): their CPU is the database's per request.
    const backends = schema ? await backendPids(schema) : [];
    const dbBefore = backends.map(times);
    const before = times(child.pid);
    const r = load(port, secs, ...target);
    const after = times(child.pid);
    const dbCpu = backends.reduce((sum, pid, i) => {
      try {
        return sum + times(pid).cpu - dbBefore[i].cpu;
      } catch {
        return sum; // a backend that ended
      }
    }, 0);
    const ok = r['2xx'];
    results.get(root).push({ rps: ok / secs, cpu: (after.cpu - before.cpu) / ok, sys: (after.sys - before.sys) / ok, db: dbCpu / ok, failed: r.non2xx + r.errors });
    child.kill('SIGTERM');
    await new Promise((res) => child.on('exit', res));
    if (schema) await dropSchemaQuietly(process.env.PG, schema);
    console.error(`${root}: ${(ok / secs).toFixed(0)} req/s, ${((after.cpu - before.cpu) / ok).toFixed(1)} CPU µs/req${schema ? `, PostgreSQL ${(dbCpu / ok).toFixed(1)} (${backends.length} backends)` : ''}`);
  }
}
for (const [root, rs] of results) {
  const median = (k) => rs.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(rs.length / 2)];
  const failed = rs.reduce((n, x) => n + x.failed, 0);
  console.log(`${root}: median ${median('rps').toFixed(0)} req/s, ${median('cpu').toFixed(1)} CPU µs/req (kernel ${median('sys').toFixed(1)})${process.env.PG ? `, PostgreSQL backends ${median('db').toFixed(1)} CPU µs/req` : ''}${failed ? `, ${failed} FAILED responses` : ''}`);
}
