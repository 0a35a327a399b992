/**
 * How the repositories written once for both SQL stores (./sql-outbox.ts,
 * ./sql-device-authorizations.ts) run a statement: a small port with an adapter per
 * driver (sqlite/sqlite-runner.ts, postgres/postgres-runner.ts), so the logic is not
 * written twice and no driver is imported here. The repositories write their
 * statements with `?` for each parameter and turn them into the runner's dialect once,
 * when they are made (`inDialect`); what truly differs is chosen by `runner.dialect`.
 */
import type { Dialect } from './migrations/dialect-sql.js';

export interface SqlRunner {
  readonly dialect: Dialect;
  /** The rows the statement returns. */
  query<R>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** The first row the statement returns, if any. */
  one<R>(sql: string, params?: readonly unknown[]): Promise<R | undefined>;
  /** How many rows the statement inserted, changed or deleted. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

/** A statement written with `?` for each parameter, in the dialect's own form (`$1`, `$2`, … in PostgreSQL). */
export function inDialect(sql: string, dialect: Dialect): string {
  if (dialect === 'sqlite') return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
