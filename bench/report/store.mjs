/**
 * Section g's table: issuance and introspection per store and table size, and the
 * throughput lost from the smallest table to the largest.
 */
import { STORE_SAMPLE } from '../lib/settings.mjs';
import { fmt, resultRow, table } from './format.mjs';
import { notes } from './notes.mjs';

export function storeReport(section, settings) {
  const out = [];
  const headers = ['store', 'stored tokens', 'request', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'RSS idle MB', 'RSS peak MB'];
  const rows = section.store.map((r) => {
    const head = [r.backend, fmt.int(r.size), r.what === 'issue' ? 'issue reference token' : 'introspect stored token'];
    if (r.error) return [...head.slice(0, 2), `${head[2]} (!)`, 'FAILED', '-', '-', '-', '-', '-'];
    const row = resultRow('', r);
    return [...head.slice(0, 2), `${head[2]}${row[0]}`, ...row.slice(1)];
  });
  out.push(table(headers, rows).replace(/^/gm, '  '));
  for (const backend of [...new Set(section.store.map((r) => r.backend))]) {
    const mine = section.store.filter((r) => r.backend === backend && !r.error);
    const sizes = [...new Set(mine.map((r) => r.size))].sort((a, b) => a - b);
    if (sizes.length < 2) continue;
    const [small, large] = [sizes[0], sizes[sizes.length - 1]];
    for (const what of ['issue', 'introspect']) {
      const a = mine.find((r) => r.size === small && r.what === what);
      const b = mine.find((r) => r.size === large && r.what === what);
      if (!a || !b) continue;
      out.push(
        `  ${backend} ${what}: ${fmt.int(large)} vs ${fmt.int(small)} stored tokens: req/s ${fmt.x(b.reqPerSec / a.reqPerSec)} ` +
          `(${fmt.pct(1 - b.reqPerSec / a.reqPerSec)} lost), CPU µs/req ${fmt.x(b.cpuMicrosPerReq / a.cpuMicrosPerReq)}`,
      );
    }
    const seeds = mine.filter((r) => r.what === 'issue').map((r) => `${fmt.int(r.size)} in ${fmt.one(r.seedSeconds)} s`);
    out.push(`  ${backend} seeded by a direct bulk insert through the store's schema: ${seeds.join(', ')}`);
  }
  out.push(`  introspection cycles through ${fmt.int(STORE_SAMPLE)} real tokens spread evenly through the table (fewer when the table is smaller)`);
  if (section.skipped) out.push(`  not run: ${section.skipped}`);
  out.push(...notes(section.store.map((r) => [`${r.backend} ${fmt.int(r.size)} ${r.what}`, r]), settings.connections));
  return out;
}
