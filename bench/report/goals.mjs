/**
 * The performance goals, each marked holds / MISS / n/a against this run's figures
 * (only the goals whose scenarios ran are listed).
 */
import { fmt } from './format.mjs';

/** The goals of issue 9, checked against this run's figures. */
export function goalsReport(results) {
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
