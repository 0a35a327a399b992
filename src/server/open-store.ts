/**
 * Chooses the storage backend: PostgreSQL when a postgres:// URL is given (many
 * stateless instances), otherwise the embedded SQLite file in the data directory.
 * Each driver is loaded only when used: pg costs memory (about 8 MB resident) that
 * a server on SQLite never needs, and commands that touch no store (help, working
 * against a running server) load neither native SQLite nor pg.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../core/ports/storage.js';
import type { PostgresStoreOptions } from '../stores/postgres/postgres-store.js';

export async function openStore(options: {
  databaseUrl?: string;
  dataDir: string;
  schema?: string;
  pool?: Omit<PostgresStoreOptions, 'connectionString' | 'schema'>;
}): Promise<Store> {
  const url = options.databaseUrl;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const config: PostgresStoreOptions = { connectionString: url, ...options.pool };
    if (options.schema) config.schema = options.schema;
    const { PostgresStore } = await import('../stores/postgres/postgres-store.js');
    return new PostgresStore(config);
  }
  if (url) throw new TypeError(`TESSERA_DATABASE_URL must start with postgres:// or postgresql://, got ${url.split(':')[0]}:`);
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const { SqliteStore } = await import('../stores/sqlite/sqlite-store.js');
  return new SqliteStore(join(options.dataDir, 'tessera.db'));
}
