/**
 * Both SQL stores render one migration list (./migrations/migrations.ts); this checks
 * that what they build is the same. Both dialects' lists have the same versions and
 * names, in order, each version once; after migrating, a SQLite file and a PostgreSQL
 * schema have recorded the same versions and have the same tables, columns (in the same
 * order, which may be null, and their type family: text or integer, as BIGINT and
 * INTEGER are both integers), primary keys, unique constraints and indexes; a database
 * upgraded from an old version has the same schema as a new one; and every document
 * table declared in ../document-tables.ts matches the migrated schema: the store kit
 * writes exactly the columns the table has. PostgreSQL at TESSERA_TEST_DATABASE_URL;
 * the tests that need it are skipped without it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { migrationsFor } from './migrations/migrations.js';
import { DOCUMENT_TABLES } from './document-tables.js';
import { dropSchema, PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

/** One table, dialect-free: columns as `name` or `name?` (nullable), keys as column lists. */
interface TableShape {
  columns: string[];
  /** The column names in the table's order (what `SELECT *` and inserts without names see). */
  order: string[];
  /** Each column's type family: `text`, `integer`, or the type's own name for any other. */
  types: Record<string, string>;
  primaryKey: string[];
  unique: string[];
  /** Indexes created by name (not those behind a key), as `name(unique)` or `name`. */
  indexes: string[];
}
type Schema = Record<string, TableShape>;

const sorted = (list: string[]) => [...list].sort();

/** SQLite's INTEGER and PostgreSQL's BIGINT, INTEGER and SMALLINT hold the same values here. */
const INTEGERS = new Set(['integer', 'bigint', 'smallint']);
const family = (type: string) => (INTEGERS.has(type.toLowerCase()) ? 'integer' : type.toLowerCase());
const byName = (types: [string, string][]) => Object.fromEntries(types.sort(([a], [b]) => (a < b ? -1 : 1)));

function sqliteSchema(file: string): Schema {
  const db = new Database(file, { readonly: true });
  try {
    const schema: Schema = {};
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
    for (const { name } of tables) {
      const columns = db.prepare(`PRAGMA table_info(${name})`).all() as { name: string; type: string; notnull: number; pk: number }[];
      const indexes = db.prepare(`PRAGMA index_list(${name})`).all() as { name: string; unique: number; origin: string }[];
      const indexColumns = (index: string) => (db.prepare(`PRAGMA index_info(${index})`).all() as { name: string }[]).map((c) => c.name).join(',');
      schema[name] = {
        // A primary key column is never null, though SQLite would allow it.
        columns: sorted(columns.map((c) => (c.notnull || c.pk ? c.name : `${c.name}?`))),
        order: columns.map((c) => c.name),
        types: byName(columns.map((c) => [c.name, family(c.type)])),
        primaryKey: columns
          .filter((c) => c.pk > 0)
          .sort((a, b) => a.pk - b.pk)
          .map((c) => c.name),
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
    const shape = (table: string) => (schema[table] ??= { columns: [], order: [], types: {}, primaryKey: [], unique: [], indexes: [] });
    const columns = await client.query<{ table_name: string; column_name: string; is_nullable: string; data_type: string }>(
      'SELECT table_name, column_name, is_nullable, data_type FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position',
      [name],
    );
    for (const c of columns.rows) {
      shape(c.table_name).columns.push(c.is_nullable === 'YES' ? `${c.column_name}?` : c.column_name);
      shape(c.table_name).order.push(c.column_name);
      shape(c.table_name).types[c.column_name] = family(c.data_type);
    }
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
      table.types = byName(Object.entries(table.types));
      table.columns.sort();
      table.unique.sort();
      table.indexes.sort();
    }
    return schema;
  } finally {
    await client.end();
  }
}

/** Migrates the SQLite file (new, or left at an older release) to the newest version. */
async function migrateSqlite(file: string): Promise<number[]> {
  const store = new SqliteStore(file);
  try {
    return await store.migrate();
  } finally {
    await store.close();
  }
}

test('both stores have the same migration versions and names, each version once', () => {
  const list = (migrations: readonly { version: number; name: string }[]) => migrations.map((m) => `${m.version} ${m.name}`);
  assert.deepEqual(list(migrationsFor('postgres')), list(migrationsFor('sqlite')));
  const versions = migrationsFor('sqlite').map((m) => m.version);
  assert.equal(new Set(versions).size, versions.length, `no version twice: ${versions.join(', ')}`);
  assert.ok(
    versions.every((v) => Number.isInteger(v) && v > 0),
    'versions are positive integers',
  );
});

test('every document table of the store kit matches the migrated schema', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-parity-'));
  try {
    const file = join(dir, 'tessera.db');
    await migrateSqlite(file);
    const schema = sqliteSchema(file);
    for (const table of DOCUMENT_TABLES) {
      const actual = schema[table.table];
      assert.ok(actual, `table ${table.table} exists`);
      const declared = Object.entries(table.columns);
      // Exactly the table's columns: an insert from the kit leaves none out.
      assert.deepEqual(
        actual.columns,
        sorted([...declared.map(([name, c]) => (c.nullable ? `${name}?` : name)), 'doc']),
        `${table.table}: the columns, and which may be null`,
      );
      assert.deepEqual(
        actual.types,
        byName([...declared.map(([name, c]): [string, string] => [name, c.type]), ['doc', 'text']]),
        `${table.table}: the column types`,
      );
      assert.deepEqual(actual.primaryKey, [...table.key], `${table.table}: the key is the primary key`);
      if (table.upsertOn)
        assert.ok(actual.unique.includes(table.upsertOn.join(',')), `${table.table}: ${table.upsertOn.join(', ')} is unique, so an upsert can match by it`);
      for (const column of [...table.order, ...(table.owner ? [table.owner] : [])])
        assert.ok(column in table.columns, `${table.table}: ${column} is a declared column`);
      for (const dependent of table.dependents ?? []) {
        assert.ok(schema[dependent.table]?.types[dependent.column], `${table.table}: its dependents' table ${dependent.table} has ${dependent.column}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const url = process.env.TESSERA_TEST_DATABASE_URL;
test('after migrating, SQLite and PostgreSQL have the same tables, columns, keys and indexes', {
  skip: url ? false : 'TESSERA_TEST_DATABASE_URL not set',
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-parity-'));
  const schemaName = `t_${randomBytes(6).toString('hex')}`;
  try {
    const file = join(dir, 'tessera.db');
    const sqlite = new SqliteStore(file);
    const postgres = new PostgresStore({ connectionString: url!, schema: schemaName, poolSize: 2 });
    const applied = [await sqlite.migrate(), await postgres.migrate()];
    await Promise.all([sqlite.close(), postgres.close()]);
    assert.deepEqual(
      applied[0],
      migrationsFor('sqlite').map((m) => m.version),
      'SQLite applied every version',
    );
    assert.deepEqual(applied[1], applied[0], 'PostgreSQL applied the same versions');
    assert.deepEqual(await postgresRecorded(url!, schemaName), sqliteRecorded(file), 'both recorded the same versions and names');

    const [lite, postgresql] = [sqliteSchema(file), await postgresSchema(url!, schemaName)];
    assert.ok(Object.keys(lite).length >= 10 && lite.tokens!.columns.length >= 10, 'the schema was read');
    assert.deepEqual(sorted(Object.keys(postgresql)), sorted(Object.keys(lite)), 'the same tables');
    for (const table of Object.keys(lite)) assert.deepEqual(postgresql[table], lite[table], `table ${table}: PostgreSQL (actual) against SQLite (expected)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropSchema(url!, schemaName);
  }
});

/** The versions a database recorded as applied, with their names, by version. */
function sqliteRecorded(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as { version: number; name: string }[]).map(
      (m) => `${m.version} ${m.name}`,
    );
  } finally {
    db.close();
  }
}

async function postgresRecorded(connectionString: string, schema: string): Promise<string[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: number; name: string }>(`SELECT version, name FROM ${schema}.schema_migrations ORDER BY version`);
    return rows.map((m) => `${m.version} ${m.name}`);
  } finally {
    await client.end();
  }
}

/** A SQLite file left at an older release: the first `count` migrations applied, as the store would have. */
function oldSqlite(file: string, count: number): void {
  const db = new Database(file);
  try {
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const m of migrationsFor('sqlite').slice(0, count)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
    }
  } finally {
    db.close();
  }
}

test('sqlite: a database upgraded from any earlier release has the schema of a new one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-parity-'));
  try {
    const fresh = join(dir, 'fresh.db');
    await migrateSqlite(fresh);
    const expected = sqliteSchema(fresh);
    const list = migrationsFor('sqlite');
    for (let count = 1; count < list.length; count++) {
      const file = join(dir, `at-${count}.db`);
      oldSqlite(file, count);
      assert.deepEqual(
        await migrateSqlite(file),
        list.slice(count).map((m) => m.version),
        `from ${list[count - 1]!.version}: the rest applied, in order`,
      );
      assert.deepEqual(sqliteSchema(file), expected, `upgraded from version ${list[count - 1]!.version}`);
      assert.deepEqual(sqliteRecorded(file), sqliteRecorded(fresh), `upgraded from version ${list[count - 1]!.version}: the versions recorded`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('postgres: a database upgraded from an earlier release has the schema of a new one', {
  skip: url ? false : 'TESSERA_TEST_DATABASE_URL not set',
}, async () => {
  const list = migrationsFor('postgres');
  // The first release, the one before the outbox, and the one released out of numeric order (19 before 18).
  const starts = [1, list.findIndex((m) => m.version === 10), list.findIndex((m) => m.version === 19) + 1];
  const names = [0, ...starts].map(() => `t_${randomBytes(6).toString('hex')}`);
  try {
    const fresh = new PostgresStore({ connectionString: url!, schema: names[0]!, poolSize: 2 });
    await fresh.migrate();
    await fresh.close();
    const expected = await postgresSchema(url!, names[0]!);
    for (const [i, count] of starts.entries()) {
      const schema = names[i + 1]!;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
        await client.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
        for (const m of list.slice(0, count)) {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations VALUES ($1, $2, 0)', [m.version, m.name]);
        }
      } finally {
        await client.end();
      }
      const upgraded = new PostgresStore({ connectionString: url!, schema, poolSize: 2 });
      assert.deepEqual(
        await upgraded.migrate(),
        list.slice(count).map((m) => m.version),
      );
      await upgraded.close();
      const from = list[count - 1]!.version;
      assert.deepEqual(await postgresSchema(url!, schema), expected, `upgraded from version ${from}`);
      assert.deepEqual(await postgresRecorded(url!, schema), await postgresRecorded(url!, names[0]!), `upgraded from version ${from}: the versions recorded`);
    }
  } finally {
    for (const schema of names) await dropSchema(url!, schema);
  }
});
