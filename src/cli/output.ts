/** How commands print: aligned tables and key/value records for people, JSON with --json. */
import type { Io } from './verbs/verb.js';

export type Cell = string | number | boolean | undefined;

export { duration, relativeTime, when } from '../devtools/time-words.js';

const text = (value: Cell) => (value === undefined || value === '' ? '-' : String(value));

export function printTable(io: Io, headers: string[], rows: Cell[][], empty: string): void {
  if (rows.length === 0) {
    io.out(empty);
    return;
  }
  const cells = rows.map((row) => row.map(text));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  io.out(line(headers.map((h) => h.toUpperCase())));
  for (const row of cells) io.out(line(row));
}

/** Label/value lines; a list value continues on the following lines, aligned. */
export function printRecord(io: Io, pairs: [string, Cell | Cell[]][]): void {
  const width = Math.max(...pairs.map(([label]) => label.length));
  for (const [label, value] of pairs) {
    const values = Array.isArray(value) ? (value.length > 0 ? value.map(text) : ['-']) : [text(value)];
    values.forEach((v, i) => {
      io.out(`${(i === 0 ? label : '').padEnd(width)}  ${v}`.trimEnd());
    });
  }
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

export const permissionLines = (permissions: Record<string, string[]>): string[] =>
  Object.entries(permissions).map(([api, scopes]) => `${api}: ${scopes.join(' ') || '(no scopes)'}`);
