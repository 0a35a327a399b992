/**
 * Section g: Tessera with N stored tokens (BENCH_STORE_SIZES), on SQLite and, when
 * DATABASE_URL is set, PostgreSQL: does the token path slow down as the table grows?
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIENT_ID, REF_API, SCOPES } from '../lib/fixtures.mjs';
import { leastDisturbed } from '../lib/least-disturbed.mjs';
import { log } from '../lib/log.mjs';
import { load } from '../lib/measure.mjs';
import { ROOT } from '../lib/paths.mjs';
import { createSchema, dropSchemaQuietly } from '../lib/pg-schema.mjs';
import { memoryMB } from '../lib/proc.mjs';
import { check, post } from '../lib/requests.mjs';
import { seedPostgres, seedSqlite } from '../lib/seed.mjs';
import { stopServer } from '../lib/server-process.mjs';
import { discover, SERVERS } from '../lib/servers.mjs';
import { STORE_SAMPLE, STORE_SIZES } from '../lib/settings.mjs';
import { reference } from '../scenarios/reference.mjs';

/**
 * g. Store scale: Tessera with N stored tokens (seeded directly, lib/seed.mjs), for each
 * size: reference-token issuance (scenario b's request), then introspection of a
 * different stored token each time (cycling through STORE_SAMPLE of them).
 */
export async function storeSection() {
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
      env.TESSERA_DATABASE_URL = url.href;
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
    const issue = await reference.prepare(running.url, endpoints, running);
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
