/**
 * The two SQL stores are kept in step by hand (each has its own migrations.ts): this
 * checks that they are. Both lists have the same versions, and after migrating, a
 * SQLite file and a PostgreSQL schema have the same tables, columns (and which may be
 * null), primary keys, unique constraints and indexes. Column types differ by dialect
 * and are not compared. PostgreSQL at TESSERA_TEST_DATABASE_URL; skipped without it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { POSTGRES_MIGRATIONS } from './postgres/migrations.js';
import { dropSchema, PostgresStore } from './postgres/postgres-store.js';
import { SQLITE_MIGRATIONS } from './sqlite/migrations.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

/** One table, dialect-free: columns as `name` or `name?` (nullable), keys as column lists. */
interface TableShape {
  columns: string[];
  primaryKey: string[];
  unique: string[];
  /** Indexes created by name (not those behind a key), as `name(unique)` or `name`. */
  indexes: string[];
}
type Schema = Record<string, TableShape>;

const sorted = (list: string[]) => [...list].sort();

function sqliteSchema(file: string): Schema {
  const db = new Database(file, { readonly: true });
  try {
    const schema: Schema = {};
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
    for (const { name } of tables) {
      const columns = db.prepare(`PRAGMA table_info(${name})`).all() as { name: string; notnull: number; pk: number }[];
      const indexes = db.prepare(`PRAGMA index_list(${name})`).all() as { name: string; unique: number; origin: string }[];
      const indexColumns = (index: string) => (db.prepare(`PRAGMA index_info(${index})`).all() as { name: string }[]).map((c) => c.name).join(',');
      schema[name] = {
        // A primary key column is never null, though SQLite would allow it.
        columns: sorted(columns.map((c) => (c.notnull || c.pk ? c.name : `${c.name}?`))),
        primaryKey: columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
        unique: sorted(indexes.filter((i) => i.origin === 'u').map((i) => indexColumns(i.name))),
        indexes: sorted(indexes.filter((i) => i.origin === 'c').map((i) => (i.unique ? `${i.name}(unique)` : i.name))),
      };
    }
    return schema;
  } finally {
    db.close();
  }
}

async function postgresSchema(url: string, name: string): Promise<Schema> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const schema: Schema = {};
    const shape = (table: string) => (schema[table] ??= { columns: [], primaryKey: [], unique: [], indexes: [] });
    const columns = await client.query<{ table_name: string; column_name: string; is_nullable: string }>(
      'SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = $1',
      [name],
    );
    for (const c of columns.rows) shape(c.table_name).columns.push(c.is_nullable === 'YES' ? `${c.column_name}?` : c.column_name);
    const constraints = await client.query<{ table: string; type: string; columns: string[] }>(
      `SELECT t.relname AS table, c.contype AS type,
              array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n ORDER BY k.i) AS columns
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace s ON s.oid = t.relnamespace
        WHERE s.nspname = $1 AND c.contype IN ('p', 'u')`,
      [name],
    );
    for (const c of constraints.rows) {
      if (c.type === 'p') shape(c.table).primaryKey = c.columns;
      else shape(c.table).unique.push(c.columns.join(','));
    }
    const indexes = await client.query<{ table: string; index: string; unique: boolean }>(
      `SELECT t.relname AS table, i.relname AS index, x.indisunique AS unique
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace s ON s.oid = t.relnamespace
        WHERE s.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
      [name],
    );
    for (const i of indexes.rows) shape(i.table).indexes.push(i.unique ? `${i.index}(unique)` : i.index);
    for (const table of Object.values(schema)) {
      table.columns.sort();
      table.unique.sort();
      table.indexes.sort();
    }
    return schema;
  } finally {
    await client.end();
  }
}

test('both stores have the same migration versions and names', () => {
  const list = (migrations: { version: number; name: string }[]) => migrations.map((m) => `${m.version} ${m.name}`);
  assert.deepEqual(list(POSTGRES_MIGRATIONS), list(SQLITE_MIGRATIONS));
});

const url = process.env.TESSERA_TEST_DATABASE_URL;
test('after migrating, SQLite and PostgreSQL have the same tables, columns, keys and indexes', { skip: url ? false : 'TESSERA_TEST_DATABASE_URL not set' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-parity-'));
  const schemaName = `t_${randomBytes(6).toString('hex')}`;
  try {
    const file = join(dir, 'tessera.db');
    const sqlite = new SqliteStore(file);
    const postgres = new PostgresStore({ connectionString: url!, schema: schemaName, poolSize: 2 });
    const applied = [await sqlite.migrate(), await postgres.migrate()];
    await Promise.all([sqlite.close(), postgres.close()]);
    assert.deepEqual(applied[0], SQLITE_MIGRATIONS.map((m) => m.version), 'SQLite applied every version');
    assert.deepEqual(applied[1], applied[0], 'PostgreSQL applied the same versions');

    const [lite, postgresql] = [sqliteSchema(file), await postgresSchema(url!, schemaName)];
    assert.ok(Object.keys(lite).length >= 10 && lite.tokens!.columns.length >= 10, 'the schema was read');
    assert.deepEqual(sorted(Object.keys(postgresql)), sorted(Object.keys(lite)), 'the same tables');
    for (const table of Object.keys(lite)) assert.deepEqual(postgresql[table], lite[table], `table ${table}: PostgreSQL (actual) against SQLite (expected)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropSchema(url!, schemaName);
  }
});
