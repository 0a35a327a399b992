/**
 * The SQL runner port (../sql-runner.ts) on the PostgreSQL store's pool: each
 * statement runs through the store's own query function (which reports an outage as
 * the store does everywhere else).
 */
import type pg from 'pg';
import type { SqlRunner } from '../sql-runner.js';

type Query = <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<pg.QueryResult<R>>;

export function postgresRunner(query: Query): SqlRunner {
  return {
    dialect: 'postgres',
    query: async <R>(sql: string, params: readonly unknown[] = []) => (await query(sql, [...params])).rows as R[],
    one: async <R>(sql: string, params: readonly unknown[] = []) => (await query(sql, [...params])).rows[0] as R | undefined,
    run: async (sql, params = []) => (await query(sql, [...params])).rowCount ?? 0,
  };
}
