/**
 * The SQL runner port (../sql-runner.ts) on better-sqlite3: each statement is prepared
 * once by the store's cache and run synchronously (the promise is only the port's shape).
 */
import type Database from 'better-sqlite3';
import type { SqlRunner } from '../sql-runner.js';

export function sqliteRunner(prepare: (sql: string) => Database.Statement): SqlRunner {
  return {
    dialect: 'sqlite',
    query: async <R>(sql: string, params: readonly unknown[] = []) => prepare(sql).all(...params) as R[],
    one: async <R>(sql: string, params: readonly unknown[] = []) => prepare(sql).get(...params) as R | undefined,
    run: async (sql, params = []) => prepare(sql).run(...params).changes,
  };
}
