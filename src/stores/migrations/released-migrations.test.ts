/**
 * A released migration has run on databases that will never run it again, so its SQL
 * must never change: a fix is a new version. This pins a hash of each released
 * version's SQL as each store renders it (./migrations.ts); editing a released entry,
 * or a helper it uses (./table-shapes.ts, ./dialect-sql.ts), changes a hash and fails
 * here. A new migration fails too until its line is added below: the failure prints it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { MIGRATIONS, migrationsFor } from './migrations.js';

/** [version, hash of its SQLite script, hash of its PostgreSQL script], in release order. */
const RELEASED: readonly (readonly [version: number, sqlite: string, postgres: string])[] = [
  [1, 'dd858c65013faa76', '7251f108aeb491cf'],
  [2, '06e885795f33bdf6', 'f29afacab4887535'],
  [3, 'b82728b4e4b96519', '2b48cad4dc2a5ced'],
  [4, '1c1254f8123e8113', '6edb15d0a221727f'],
  [5, '20b030643ad31422', 'e7878b05d719244a'],
  [6, '6e1b0eea661157fa', '6e1b0eea661157fa'],
  [10, '38e2638fec182df1', '5a10fe126def41f5'],
  [13, '892a7cbed7ba7149', '6f7281f65c8d3ee1'],
  [14, '75e14da5279e8c21', 'f59a35497c7a6fb1'],
  [16, '017cfe6fe87b4a9d', '98f0ce6e0034a50e'],
  [17, 'c7efb6c29e7f76b9', 'db23be5768d8629f'],
  [19, '6ef4fe2977a0f26b', '6ef4fe2977a0f26b'],
  [18, '37624a511c36690d', '70e2d982ac0331ef'],
];

const hash = (sql: string) => createHash('sha256').update(sql).digest('hex').slice(0, 16);

/** The line of RELEASED that pins a migration as it is now. */
function pinLine(index: number): string {
  const [sqlite, postgres] = [migrationsFor('sqlite')[index]!, migrationsFor('postgres')[index]!];
  return `[${sqlite.version}, '${hash(sqlite.sql)}', '${hash(postgres.sql)}'],`;
}

test('released migrations keep their place in the list, in release order', () => {
  const versions = MIGRATIONS.map((m) => m.version);
  assert.deepEqual(
    versions.slice(0, RELEASED.length),
    RELEASED.map(([version]) => version),
    'a released migration is never removed or moved; new ones go at the end',
  );
});

test('the SQL of a released migration never changes, in either dialect', () => {
  RELEASED.forEach(([version, sqlite, postgres], index) => {
    const now = [hash(migrationsFor('sqlite')[index]!.sql), hash(migrationsFor('postgres')[index]!.sql)];
    assert.deepEqual(
      now,
      [sqlite, postgres],
      `migration ${version} was released and its SQL changed ([sqlite, postgres] hashes above): put it back as it was, and make the change a new migration`,
    );
  });
});

test('every migration is pinned (a new one: add the line the message prints)', () => {
  const unpinned = MIGRATIONS.slice(RELEASED.length).map((_, i) => pinLine(RELEASED.length + i));
  assert.deepEqual(
    unpinned,
    [],
    `new migrations: add these lines at the end of RELEASED in ${import.meta.url.split('/').pop()}:\n  ${unpinned.join('\n  ')}\n`,
  );
});
