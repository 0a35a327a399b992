/**
 * The store a black-box test runs on: in-memory SQLite by default, or a fresh
 * PostgreSQL schema when TESSERA_TEST_STORE=postgres (CI runs the suites both ways).
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../../src/core/ports/storage.js';
import { dropSchema, PostgresStore } from '../../src/stores/postgres/postgres-store.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';

export const TEST_DATABASE_URL = process.env.TESSERA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function testStoreKind(): 'sqlite' | 'postgres' {
  return process.env.TESSERA_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
}

export async function createTestStore(): Promise<{ store: Store; dispose(): Promise<void> }> {
  if (testStoreKind() === 'postgres') {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const store = new PostgresStore({ connectionString: TEST_DATABASE_URL, schema });
    return {
      store,
      async dispose() {
        await store.close();
        await dropSchema(TEST_DATABASE_URL, schema);
      },
    };
  }
  const store = new SqliteStore(':memory:');
  return { store, dispose: () => store.close() };
}
