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
 * This file is the run's outline only: floors, then the HTTP scenarios (scenarios/),
 * then the sections (sections/: in-process SDK, store scale, and the scenario modules
 * registered in sections/modules.mjs), then the report (report/) or the JSON. The
 * machinery they share (settings, pinning, /proc readings, servers, load runs) is in
 * lib/; bench/README.md, "Files", maps it all.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { floorServer, signFloor } from './lib/floors.mjs';
import { leastDisturbed } from './lib/least-disturbed.mjs';
import { log } from './lib/log.mjs';
import { machine } from './lib/machine.mjs';
import { measure } from './lib/measure.mjs';
import { BENCH, ROOT } from './lib/paths.mjs';
import { CLK_TCK } from './lib/proc.mjs';
import { HAS_TASKSET } from './lib/processes.mjs';
import { SERVERS } from './lib/servers.mjs';
import { CONNECTIONS, FLOW_SECONDS, JSON_OUT, ONLY, QUICK, SECONDS, STORE_SIZES, WARMUP_SECONDS } from './lib/settings.mjs';
import { report } from './report/report.mjs';
import { SCENARIOS } from './scenarios/index.mjs';
import { MODULES, moduleSection, NOT_YET_MEASURED } from './sections/modules.mjs';
import { sdkSection } from './sections/sdk.mjs';
import { storeSection } from './sections/store.mjs';

const wanted = (id) => !ONLY || ONLY.has(id);

async function main() {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
    log('bench: dist/ is missing; run `npm run build` first (or `npm run bench` from the repository root)');
    process.exit(2);
  }
  if (!existsSync(join(BENCH, 'node_modules', 'oidc-provider'))) {
    log('bench: bench/node_modules is missing; run `npm --prefix bench ci` first (or `npm run bench` from the repository root)');
    process.exit(2);
  }
  const results = {
    machine: machine(),
    settings: { quick: QUICK, connections: CONNECTIONS, warmupSeconds: WARMUP_SECONDS, seconds: SECONDS, flowSeconds: FLOW_SECONDS, storeSizes: STORE_SIZES, pinned: HAS_TASKSET, clockTicks: CLK_TCK },
    floors: {},
    scenarios: [],
    notYetMeasured: NOT_YET_MEASURED,
  };
  if (!HAS_TASKSET) log('bench: taskset not found (or CPUs 0,1 not available): running unpinned');
  checkOnly();

  results.floors = await runFloors();
  results.scenarios = await runScenarios();
  results.sections = [];
  await runSections(results);

  if (JSON_OUT) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else process.stdout.write(`${report(results)}\n`);
  setExitCode(results);
}

/** BENCH_ONLY names only scenarios, sections and modules that exist. */
function checkOnly() {
  const known = new Set([...SCENARIOS.map((x) => x.id), 'sdk', 'store', ...MODULES.map((m) => m.id)]);
  for (const id of ONLY ?? []) {
    if (!known.has(id)) {
      log(`bench: BENCH_ONLY: unknown scenario ${id} (known: ${[...known].join(', ')})`);
      process.exit(2);
    }
  }
}

/** The floors always run: every scenario's figures are read against them. */
async function runFloors() {
  const floors = {};
  log('floor: raw node:http ...');
  floors.rawHttp = await leastDisturbed('raw node:http', () => floorServer('raw node:http', 'raw-http.mjs', 'token'));
  log('floor: ES256 sign rate ...');
  floors.es256 = await leastDisturbed('ES256 sign', async () => signFloor());
  log('floor: node:http + one ES256 signature ...');
  floors.signHttp = await leastDisturbed('node:http + ES256', () => floorServer('node:http + ES256', 'sign-http.mjs', 'jwt'));
  return floors;
}

/** Each HTTP scenario on each of its servers, a failed server noted rather than fatal. */
async function runScenarios() {
  const scenarios = [];
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
    scenarios.push(entry);
  }
  return scenarios;
}

/** The SDK and store sections, then the registered scenario modules. */
async function runSections(results) {
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
}

/** Exit code 1 when any run had failed responses; a warning when any was disturbed. */
function setExitCode(results) {
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
