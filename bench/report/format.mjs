/**
 * The report's building blocks: number formats ('n/a' for what could not be read),
 * aligned text tables, and the standard row of an HTTP load run.
 */

export const fmt = {
  int: (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a'),
  ms: (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a'),
  one: (n) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a'),
  pct: (n) => (Number.isFinite(n) ? `${(n * 100).toFixed(1)}%` : 'n/a'),
  x: (n) => (Number.isFinite(n) ? `${n.toFixed(2)}x` : 'n/a'),
};

export function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function resultRow(label, r) {
  if (r.error) return [`${label} (!)`, 'FAILED', '-', '-', '-', '-', '-'];
  return [
    `${label}${r.failures > 0 ? ' (!)' : ''}${r.disturbed ? ' (~)' : ''}`,
    fmt.int(r.reqPerSec),
    fmt.ms(r.p50ms),
    fmt.ms(r.p99ms),
    fmt.int(r.cpuMicrosPerReq),
    fmt.one(r.rssIdleMB),
    fmt.one(r.rssPeakMB),
  ];
}

export const HEADERS = ['server', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'RSS idle MB', 'RSS peak MB'];
