/**
 * Scenario modules: a file in bench/ exporting `run(harness)` that answers a section
 * ({ id, title, lines: string[], results: [{ failures, disturbed, ... }] }). Registered
 * here by id; BENCH_ONLY picks them like any scenario. A module whose file is absent is
 * reported as not measured. See bench/README.md, "Adding a scenario module".
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BASIC, CLIENT_ID, JWT_API, REF_API, RS_BASIC, SCOPES, tesseraConfigYaml, tokenRequestBody } from '../lib/fixtures.mjs';
import { leastDisturbed } from '../lib/least-disturbed.mjs';
import { log } from '../lib/log.mjs';
import { load, measure } from '../lib/measure.mjs';
import { BENCH, ROOT } from '../lib/paths.mjs';
import { memoryMB, processTree } from '../lib/proc.mjs';
import { HAS_TASKSET } from '../lib/processes.mjs';
import { check, post } from '../lib/requests.mjs';
import { runLoad } from '../lib/run-load.mjs';
import { seedPostgres, seedSqlite } from '../lib/seed.mjs';
import { startServer, stopServer } from '../lib/server-process.mjs';
import { discover, SERVERS, tesseraCli } from '../lib/servers.mjs';
import { CONNECTIONS, LOADER_CPU, QUICK, SECONDS, SERVER_CPU, WARMUP_SECONDS } from '../lib/settings.mjs';
import { fmt, HEADERS, resultRow, table } from '../report/format.mjs';
import { SCENARIOS } from '../scenarios/index.mjs';

/** Listed under "not yet measured" until the module named in parentheses ran. */
export const NOT_YET_MEASURED = [
  'one vs two instances on PostgreSQL (scale; the module bench/scale-out.mjs registers there)',
];

export const MODULES = [
  { id: 'scale', file: 'scale-out.mjs', title: 'one vs two Tessera instances on PostgreSQL' },
  { id: 'workers', file: 'workers.mjs', title: 'g. one vs two workers (tessera start --workers), client_credentials -> JWT' },
];

/** What a module gets: the runner's own machinery, so its figures are measured alike. */
export function harness() {
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

export async function moduleSection(module) {
  const path = join(BENCH, module.file);
  if (!existsSync(path)) return undefined;
  log(`${module.id}: ${module.file} ...`);
  const imported = await import(pathToFileURL(path).href);
  if (typeof imported.run !== 'function') throw new Error(`${module.file} does not export run(harness)`);
  const section = await imported.run(harness());
  return { id: module.id, title: module.title, lines: [], results: [], ...section };
}
