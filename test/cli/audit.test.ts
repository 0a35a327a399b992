/**
 * `tessera audit`: verify, list, export and prune, and verify's verdict on a store
 * whose records were changed or removed behind Tessera's back.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { main } from '../../src/cli/main.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('tessera audit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-audit-'));
  const data = join(dir, 'data');
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    assert.equal((await run('apply', 'example.yaml', '--data', data)).code, 0);
    assert.equal((await run('keys', 'rotate', '--alg', 'ES256', '--data', data)).code, 0);
    const pat = await run(
      'tokens',
      'create',
      'pat',
      '--user',
      'alice',
      '--api',
      'https://api.organizer.example',
      '--scope',
      'read:calendars',
      '--name',
      'ci',
      '--data',
      data,
    );
    assert.equal(pat.code, 0, pat.err);
  });

  it('verifies an intact chain', async () => {
    const result = await run('audit', 'verify', '--data', data);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /audit chain intact: \d+ record\(s\) verified; head #\d+ [0-9a-f]{64}/);
  });

  it('lists events by filter, a page at a time', async () => {
    const rotated = await run('audit', 'list', '--type', 'key.rotated', '--data', data);
    assert.equal(rotated.code, 0, rotated.err);
    assert.match(rotated.out, /key\.rotated\s+success\s+actor=admin:cli:/);
    const changes = await run('audit', 'list', '--type', 'management.changed', '--limit', '2', '--data', data);
    assert.equal(changes.out.split('\n').length, 2);
    const cursor = /--cursor (\d+)/.exec(changes.err)?.[1];
    assert.ok(cursor, changes.err);
    const next = await run('audit', 'list', '--type', 'management.changed', '--limit', '2', '--cursor', cursor, '--json', '--data', data);
    const records = next.out.split('\n').map((l) => JSON.parse(l) as { sequence: number; type: string });
    assert.ok(records.every((r) => r.type === 'management.changed' && r.sequence < Number(cursor)));
    const issued = await run('audit', 'list', '--type', 'token.issued', '--outcome', 'success', '--since', '2000-01-01', '--data', data);
    assert.match(issued.out, /kind=personal_access_token/);
    assert.match((await run('audit', 'list', '--until', '2000-01-01', '--data', data)).out, /no audit events/);
    assert.equal((await run('audit', 'list', '--type', 'bogus', '--data', data)).code, 2);
    assert.equal((await run('audit', 'list', '--since', 'yesterday', '--data', data)).code, 2);
    assert.equal((await run('audit', '--data', data)).code, 2);
  });

  it('shows method, path and status of API calls in the text listing', async () => {
    const store = new SqliteStore(join(data, 'tessera.db'));
    await store.appendAuditEvents([
      {
        type: 'api.called',
        outcome: 'success',
        at: Date.now(),
        actor: { type: 'client', id: 'organizer-api' },
        details: { method: 'GET', path: '/calendars/7', status: 200 },
      },
    ]);
    await store.close();
    const listed = await run('audit', 'list', '--type', 'api.called', '--data', data);
    assert.equal(listed.code, 0, listed.err);
    assert.match(listed.out, /api\.called {2}success {2}GET \/calendars\/7 200 {2}actor=client:organizer-api/);
  });

  it('exports JSON Lines with the hashes and no secret', async () => {
    const file = join(dir, 'audit.jsonl');
    const result = await run('audit', 'export', '--out', file, '--data', data);
    assert.equal(result.code, 0, result.err);
    const text = readFileSync(file, 'utf8');
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { sequence: number; hash: string; prevHash: string });
    assert.match(result.err, new RegExp(`exported ${lines.length} record`));
    assert.deepEqual(
      lines.map((l) => l.sequence),
      lines.map((_, i) => i + 1),
    );
    assert.equal(lines[1]!.prevHash, lines[0]!.hash);
    assert.doesNotMatch(text, /change-me|tsr_pat_|scrypt\$/);
  });

  it('finds a modified record and a deleted one', async () => {
    const modified = join(dir, 'modified');
    const deleted = join(dir, 'deleted');
    cpSync(data, modified, { recursive: true });
    cpSync(data, deleted, { recursive: true });

    let db = new Database(join(modified, 'tessera.db'));
    assert.throws(() => db.prepare("UPDATE audit_events SET doc = replace(doc, 'success', 'failure') WHERE sequence = 2").run(), /append-only/);
    db.exec('DROP TRIGGER audit_events_append_only');
    db.prepare("UPDATE audit_events SET doc = replace(doc, 'success', 'failure') WHERE sequence = 2").run();
    db.close();
    const changed = await run('audit', 'verify', '--data', modified);
    assert.equal(changed.code, 1);
    assert.match(changed.err, /audit chain broken at record 2: record 2 was modified/);

    // The searched columns are sealed too: a record cannot be moved between filters.
    for (const [column, value] of [
      ['type', "'signin.failed'"],
      ['client_id', "'someone-else'"],
      ['outcome', "'failure'"],
      ['actor_id', "'nobody'"],
      ['at', 'at + 1'],
    ]) {
      const copy = join(dir, `column-${column}`);
      cpSync(data, copy, { recursive: true });
      db = new Database(join(copy, 'tessera.db'));
      db.exec('DROP TRIGGER audit_events_append_only');
      db.prepare(`UPDATE audit_events SET ${column} = ${value} WHERE sequence = 4`).run();
      db.close();
      const moved = await run('audit', 'verify', '--data', copy);
      assert.equal(moved.code, 1, `${column} changed`);
      assert.match(moved.err, /audit chain broken at record 4: record 4 was modified/);
    }

    db = new Database(join(deleted, 'tessera.db'));
    db.prepare('DELETE FROM audit_events WHERE sequence = 3').run();
    db.close();
    const gap = await run('audit', 'verify', '--data', deleted);
    assert.equal(gap.code, 1);
    assert.match(gap.err, /broken at record 3: record 3 is missing/);
  });

  it('prunes by time and still verifies', async () => {
    const kept = await run('audit', 'prune', '--data', data);
    assert.match(kept.out, /pruned 0 record\(s\)/, 'nothing is older than the retention period');
    const pruned = await run('audit', 'prune', '--before', new Date(Date.now() + 60_000).toISOString(), '--data', data);
    assert.match(pruned.out, /pruned [1-9]\d* record\(s\)/);
    assert.match((await run('audit', 'verify', '--data', data)).out, /intact: 0 record/);
    await run('keys', 'rotate', '--data', data);
    const after = await run('audit', 'verify', '--data', data);
    assert.equal(after.code, 0, after.err);
    assert.match(after.out, /intact: [1-9]\d* record/);
  });
});
