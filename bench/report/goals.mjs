/**
 * The performance goals, each marked holds / MISS / n/a against this run's figures
 * (only the goals whose scenarios ran are listed).
 */
import { fmt } from './format.mjs';

/** The goals of issue 20 (performance), checked against this run's figures. */
export function goalsReport(results) {
  const out = ['Goals (issue 20), from this run'];
  const scenario = (id) => results.scenarios.find((s) => s.id === id);
  const server = (id, serverId) => scenario(id)?.results.find((r) => r.server === serverId && !r.error);
  const line = (goal, value, holds) => out.push(`  [${holds === undefined ? ' n/a ' : holds ? 'holds' : ' MISS'}] ${goal}: ${value}`);
  const { rawHttp, signHttp } = results.floors;
  const ofFloor = (goal, r, floor, min) => {
    if (r && floor) line(goal, `${fmt.pct(r.reqPerSec / floor.reqPerSec)} (${fmt.int(r.reqPerSec)} / ${fmt.int(floor.reqPerSec)} req/s)`, r.reqPerSec / floor.reqPerSec >= min);
  };
  ofFloor('client_credentials JWT ES256 >= 80% of node:http + one ES256 signature', server('jwt', 'tessera'), signHttp, 0.8);
  ofFloor('reference-token issuance (durable) >= 45% of raw node:http', server('reference', 'tessera'), rawHttp, 0.45);
  ofFloor('introspection of a reference token >= 60% of raw node:http', server('introspect', 'tessera'), rawHttp, 0.6);
  const sdk = results.sections?.find((s) => s.id === 'sdk')?.sdk;
  if (sdk) line('SDK cold verification >= 85% of the node:crypto verify floor', fmt.pct(sdk.cold.perSecond / sdk.floor.perSecond), sdk.cold.perSecond / sdk.floor.perSecond >= 0.85);
  const workers = results.sections?.find((s) => s.id === 'workers')?.results;
  if (workers?.length === 2 && workers.every((r) => r.reqPerSec > 0)) {
    const [one, two] = workers;
    line('two workers >= 1.6x one worker (measured req/s)', fmt.x(two.reqPerSec / one.reqPerSec), two.reqPerSec / one.reqPerSec >= 1.6);
  }
  const stored = results.sections?.find((s) => s.id === 'store')?.store;
  if (stored?.some((r) => r.backend === 'PostgreSQL')) {
    const smallest = Math.min(...stored.map((r) => r.size));
    for (const what of ['issue', 'introspect']) {
      const at = (backend) => stored.find((r) => r.backend === backend && r.size === smallest && r.what === what && !r.error);
      const [sqlite, postgres] = [at('SQLite'), at('PostgreSQL')];
      if (sqlite && postgres) {
        const ratio = postgres.cpuMicrosPerReq / sqlite.cpuMicrosPerReq;
        line(`PostgreSQL CPU µs per ${what === 'issue' ? 'issued token' : 'introspection'} <= 1.5x SQLite's (Tessera's process)`, fmt.x(ratio), ratio <= 1.5);
      }
    }
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
