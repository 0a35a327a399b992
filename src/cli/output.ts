/** How commands print: aligned tables and key/value records for people, JSON with --json. */
import type { Io } from './verbs/verb.js';

export type Cell = string | number | boolean | undefined;

/** A time in seconds since the epoch, to the second, in UTC. */
export function when(seconds: number | undefined): string {
  return seconds === undefined ? '-' : `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
}

/** 3600 → "1h", 90 → "90s": the shortest exact form. */
export function duration(seconds: number): string {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}

/** "in 2h" / "3d ago", roughly, for explanations. */
export function relativeTime(seconds: number, now: number): string {
  const delta = Math.abs(seconds - now);
  if (delta <= 1) return 'just now';
  const amount = delta < 120 ? `${delta}s` : delta < 7200 ? `${Math.round(delta / 60)}m` : delta < 172800 ? `${Math.round(delta / 3600)}h` : `${Math.round(delta / 86400)}d`;
  return seconds >= now ? `in ${amount}` : `${amount} ago`;
}

const text = (value: Cell) => (value === undefined || value === '' ? '-' : String(value));

export function printTable(io: Io, headers: string[], rows: Cell[][], empty: string): void {
  if (rows.length === 0) {
    io.out(empty);
    return;
  }
  const cells = rows.map((row) => row.map(text));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  io.out(line(headers.map((h) => h.toUpperCase())));
  for (const row of cells) io.out(line(row));
}

/** Label/value lines; a list value continues on the following lines, aligned. */
export function printRecord(io: Io, pairs: [string, Cell | Cell[]][]): void {
  const width = Math.max(...pairs.map(([label]) => label.length));
  for (const [label, value] of pairs) {
    const values = Array.isArray(value) ? (value.length > 0 ? value.map(text) : ['-']) : [text(value)];
    values.forEach((v, i) => io.out(`${(i === 0 ? label : '').padEnd(width)}  ${v}`.trimEnd()));
  }
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

export const permissionLines = (permissions: Record<string, string[]>): string[] =>
  Object.entries(permissions).map(([api, scopes]) => `${api}: ${scopes.join(' ') || '(no scopes)'}`);
