/**
 * Migration 5 moves the sign-in sessions that earlier versions kept as ephemeral
 * records into the sessions table, so an upgrade signs nobody out. Run on a database
 * left at version 4 with one session in it, for each backend.
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
import type { Store } from '../core/ports/storage.js';
import { dropSchema, PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

const OLD_SESSION = { userId: 'u1', authTime: 1000, sid: '5f0e8c1e-0000-4000-8000-000000000001' };

async function expectMoved(store: Store): Promise<void> {
  // Later migrations (of other features) apply too; 5 and 6 are the ones this is about.
  assert.deepEqual(
    (await store.migrate()).filter((v) => v <= 6),
    [5, 6],
  );
  assert.deepEqual(await store.findSessionByHash('cookie-hash', 2000), {
    id: OLD_SESSION.sid,
    hash: 'cookie-hash',
    userId: 'u1',
    createdAt: 1000,
    lastSeenAt: 1000,
    expiresAt: 44200,
  });
  assert.equal(await store.getRecord('session', 'cookie-hash', 2000), undefined, 'the old record is gone');
  assert.deepEqual(await store.getRecord('interaction', 'i1', 2000), { other: true }, 'other records stay');
}

test('sqlite: migration 5 keeps existing sign-in sessions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-migration-'));
  const file = join(dir, 'old.db');
  try {
    const db = new Database(file);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const m of migrationsFor('sqlite').filter((m) => m.version <= 4)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
    }
    const put = db.prepare('INSERT INTO ephemeral (kind, id, doc, expires_at) VALUES (?, ?, ?, ?)');
    put.run('session', 'cookie-hash', JSON.stringify(OLD_SESSION), 44200);
    put.run('interaction', 'i1', JSON.stringify({ other: true }), 44200);
    db.close();
    const store = new SqliteStore(file);
    await expectMoved(store);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const url = process.env.TESSERA_TEST_DATABASE_URL;
test('postgres: migration 5 keeps existing sign-in sessions', { skip: url ? false : 'TESSERA_TEST_DATABASE_URL not set' }, async () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
    await client.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    for (const m of migrationsFor('postgres').filter((m) => m.version <= 4)) {
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations VALUES ($1, $2, 0)', [m.version, m.name]);
    }
    const put = 'INSERT INTO ephemeral (kind, id, doc, expires_at) VALUES ($1, $2, $3, $4)';
    await client.query(put, ['session', 'cookie-hash', JSON.stringify(OLD_SESSION), 44200]);
    await client.query(put, ['interaction', 'i1', JSON.stringify({ other: true }), 44200]);
    const store = new PostgresStore({ connectionString: url!, schema, poolSize: 2 });
    await expectMoved(store);
    await store.close();
  } finally {
    await client.end();
    await dropSchema(url!, schema);
  }
});
