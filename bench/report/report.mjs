/**
 * The text report (without --json): machine and load settings, the floors, a table
 * per HTTP scenario with its ratios to the floors and to oidc-provider, then each
 * section, memory and the goals. Every figure comes from this run's results.
 */
import { SERVERS } from '../lib/servers.mjs';
import { LOADER_CPU, SERVER_CPU } from '../lib/settings.mjs';
import { flowReport } from './flow.mjs';
import { fmt, HEADERS, resultRow, table } from './format.mjs';
import { goalsReport } from './goals.mjs';
import { memoryReport } from './memory.mjs';
import { floorLine, notes } from './notes.mjs';
import { sdkReport } from './sdk.mjs';
import { storeReport } from './store.mjs';

export function report(results) {
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
