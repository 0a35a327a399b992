/**
 * Scenario e's table: flows per second and CPU per flow, with the password hash's
 * share split out (it dominates a sign-in) and the ratios to oidc-provider.
 */
import { SCRYPT } from '../lib/fixtures.mjs';
import { SERVERS } from '../lib/servers.mjs';
import { FLOW_CONCURRENCY, SERVER_CPU } from '../lib/settings.mjs';
import { fmt, table } from './format.mjs';
import { notes } from './notes.mjs';

export function flowReport(scenario, results) {
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
