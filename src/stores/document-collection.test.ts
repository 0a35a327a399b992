/**
 * The kit writes each dialect's own SQL from one definition: the statements a store
 * runs are the ones written by hand before (the contract suites check the behaviour;
 * this checks the text and the order of the statements).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { User } from '../core/model.js';
import { DocumentCollection, type DocumentRunner, POSTGRES_DIALECT, type SqlDialect, SQLITE_DIALECT } from './document-collection.js';
import { CONSENT_TABLE, FEDERATED_IDENTITY_TABLE, USER_TABLE } from './document-tables.js';

/** Records every statement; answers `docs` with `rows`. */
function recorder(rows: string[] = []) {
  const calls: { kind: string; sql: string; params: unknown[] }[] = [];
  const runner: DocumentRunner = {
    async doc(sql, params) {
      calls.push({ kind: 'docs', sql, params });
      return rows[0];
    },
    async docs(sql, params) {
      calls.push({ kind: 'docs', sql, params });
      return rows;
    },
    async changes(sql, params) {
      calls.push({ kind: 'changes', sql, params });
      return 1;
    },
    async changesInTransaction(statements) {
      for (const [sql, params] of statements) calls.push({ kind: 'transaction', sql, params });
      return 1;
    },
  };
  return { calls, runner };
}

const user: User = { id: 'u-new', username: 'ada', email: 'Ada@Example.test', active: true, roles: [] };

for (const [name, dialect, mark, collate] of [
  ['sqlite', SQLITE_DIALECT, (_: number) => '?', ''],
  ['postgres', POSTGRES_DIALECT, (n: number) => `$${n}`, ' COLLATE "C"'],
] as [string, SqlDialect, (n: number) => string, string][]) {
  test(`${name}: a user's upsert keeps the stored id and matches by username`, async () => {
    const { calls, runner } = recorder([JSON.stringify({ ...user, id: 'u-old' })]);
    const stored = await new DocumentCollection(USER_TABLE, dialect, runner).upsert(user);
    assert.equal(stored.id, 'u-old');
    assert.deepEqual(
      calls.map((c) => c.sql),
      [
        `SELECT doc FROM users WHERE username = ${mark(1)} ORDER BY username${collate}`,
        `INSERT INTO users (id, username, email, doc) VALUES (${[1, 2, 3, 4].map(mark).join(', ')}) ON CONFLICT (username) DO UPDATE SET email = excluded.email, doc = excluded.doc`,
      ],
    );
    assert.deepEqual(calls[1]!.params, ['u-old', 'ada', 'ada@example.test', JSON.stringify(stored)], 'the email column is lower-cased, the document is not');
  });

  test(`${name}: deleting a user deletes what belongs to them first, in one transaction`, async () => {
    const { calls, runner } = recorder();
    assert.equal(await new DocumentCollection(USER_TABLE, dialect, runner).delete('u1'), true);
    assert.deepEqual(
      calls.map((c) => `${c.kind}: ${c.sql}`),
      [
        `transaction: DELETE FROM federated_identities WHERE user_id = ${mark(1)}`,
        `transaction: DELETE FROM user_factors WHERE user_id = ${mark(1)}`,
        `transaction: DELETE FROM recovery_codes WHERE user_id = ${mark(1)}`,
        `transaction: DELETE FROM users WHERE id = ${mark(1)}`,
      ],
    );
  });

  test(`${name}: compare-and-set writes every column where the document is the one read, in one statement`, async () => {
    const { calls, runner } = recorder();
    const users = new DocumentCollection(USER_TABLE, dialect, runner);
    const renamed = { ...user, username: 'ada2' };
    assert.equal(await users.replaceIf(user, renamed), true);
    assert.deepEqual(calls[0], {
      kind: 'changes',
      sql: `UPDATE users SET username = ${mark(1)}, email = ${mark(2)}, doc = ${mark(3)} WHERE id = ${mark(4)} AND doc = ${mark(5)}`,
      params: ['ada2', 'ada@example.test', JSON.stringify(renamed), 'u-new', JSON.stringify(user)],
    });
  });

  test(`${name}: compare-and-delete deletes what belongs to it only while it is the one read`, async () => {
    const { calls, runner } = recorder();
    assert.equal(await new DocumentCollection(USER_TABLE, dialect, runner).deleteIf(user), true);
    const held = `EXISTS (SELECT 1 FROM users WHERE id = ${mark(2)} AND doc = ${mark(3)}${dialect.lockRow})`;
    assert.deepEqual(
      calls.map((c) => `${c.kind}: ${c.sql}`),
      [
        `transaction: DELETE FROM federated_identities WHERE user_id = ${mark(1)} AND ${held}`,
        `transaction: DELETE FROM user_factors WHERE user_id = ${mark(1)} AND ${held}`,
        `transaction: DELETE FROM recovery_codes WHERE user_id = ${mark(1)} AND ${held}`,
        `transaction: DELETE FROM users WHERE id = ${mark(1)} AND doc = ${mark(2)}`,
      ],
    );
    assert.deepEqual(calls[0]!.params, ['u-new', 'u-new', JSON.stringify(user)]);
    assert.deepEqual(calls[3]!.params, ['u-new', JSON.stringify(user)]);
  });

  test(`${name}: a linked identity is listed in order and changed only for its owner`, async () => {
    const { calls, runner } = recorder();
    const identities = new DocumentCollection(FEDERATED_IDENTITY_TABLE, dialect, runner);
    const identity = { providerId: 'acme', subject: 's1', userId: 'u1', createdAt: 5 };
    await identities.listBy('user_id', 'u1');
    await identities.insertOnce(identity);
    await identities.update(identity);
    await identities.delete('acme', 's1', 'u1');
    assert.deepEqual(
      calls.map((c) => c.sql),
      [
        `SELECT doc FROM federated_identities WHERE user_id = ${mark(1)} ORDER BY provider_id${collate}, created_at`,
        `INSERT INTO federated_identities (provider_id, subject, user_id, created_at, doc) VALUES (${[1, 2, 3, 4, 5].map(mark).join(', ')}) ON CONFLICT DO NOTHING`,
        `UPDATE federated_identities SET doc = ${mark(1)} WHERE provider_id = ${mark(2)} AND subject = ${mark(3)} AND user_id = ${mark(4)}`,
        `DELETE FROM federated_identities WHERE provider_id = ${mark(1)} AND subject = ${mark(2)} AND user_id = ${mark(3)}`,
      ],
    );
    assert.deepEqual(calls[2]!.params, [JSON.stringify(identity), 'acme', 's1', 'u1']);
  });
}

test('compares with a document stored in another form (spacing, escapes) by its content, on its own text', async () => {
  const stored = JSON.stringify(user, null, 1); // as an older writer or a migration might have written it
  const seen: unknown[][] = [];
  const runner: DocumentRunner = {
    doc: async () => stored,
    docs: async () => [stored],
    changes: async (_sql, params) => (seen.push(params), params.at(-1) === stored ? 1 : 0),
    changesInTransaction: async () => 0,
  };
  const users = new DocumentCollection(USER_TABLE, SQLITE_DIALECT, runner);
  assert.equal(await users.replaceIf(user, { ...user, active: false }), true);
  assert.deepEqual(
    seen.map((p) => p.at(-1)),
    [JSON.stringify(user), stored],
  );
  assert.equal(await users.replaceIf({ ...user, active: false }, user), false, 'other content does not compare equal');
});

test('deletes by one column, where no dependents are left behind', async () => {
  const { calls, runner } = recorder();
  assert.equal(await new DocumentCollection(CONSENT_TABLE, POSTGRES_DIALECT, runner).deleteBy('client_id', 'c1'), 1);
  assert.deepEqual(
    calls.map((c) => [c.sql, c.params]),
    [['DELETE FROM consents WHERE client_id = $1', ['c1']]],
  );
  assert.throws(() => new DocumentCollection(USER_TABLE, POSTGRES_DIALECT, runner).deleteBy('email', 'a@b.test'), TypeError);
});

test('a definition the kit cannot serve fails when the store is made', async () => {
  const { runner } = recorder();
  assert.throws(() => new DocumentCollection({ ...USER_TABLE, key: ['id', 'username'] }, SQLITE_DIALECT, runner), TypeError);
  assert.throws(() => new DocumentCollection({ ...USER_TABLE, upsertOn: undefined }, SQLITE_DIALECT, runner), TypeError);
  await assert.rejects(new DocumentCollection(USER_TABLE, SQLITE_DIALECT, runner).find('nickname', 'x'), TypeError);
});
