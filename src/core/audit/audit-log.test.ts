import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditRepository } from '../ports/audit.js';
import { indexedColumns, type AuditEvent, type AuditRecord } from './audit-event.js';
import { AuditLog } from './audit-log.js';
import { chainRecords, GENESIS } from './record-hash.js';

/** An in-memory repository whose writes can be held back or made to fail. */
function memoryRepo() {
  const records: AuditRecord[] = [];
  const state = { fail: false, gate: undefined as Promise<void> | undefined, writes: 0 };
  const repo: AuditRepository = {
    async appendAuditEvents(events: readonly AuditEvent[]) {
      await state.gate;
      if (state.fail) throw new Error('store down');
      state.writes++;
      const head = records.length ? records[records.length - 1]! : GENESIS;
      const sealed = chainRecords(head, events);
      records.push(...sealed);
      const last = sealed[sealed.length - 1];
      return last ? { sequence: last.sequence, hash: last.hash } : head;
    },
    async queryAuditEvents(_filter, page) {
      return records
        .filter((r) => page.before === undefined || r.sequence < page.before)
        .reverse()
        .slice(0, page.limit);
    },
    async readAuditChain(after, limit) {
      return records
        .filter((r) => r.sequence > after)
        .slice(0, limit)
        .map((r) => ({ ...r, indexed: indexedColumns(r) }));
    },
    async auditChainState() {
      const last = records[records.length - 1];
      return { anchor: GENESIS, head: last ? { sequence: last.sequence, hash: last.hash } : GENESIS };
    },
    async pruneAuditEvents() {
      return 0;
    },
  };
  return { repo, records, state };
}

const input = (n: number) => ({ type: 'token.issued' as const, outcome: 'success' as const, clientId: `c${n}` });

describe('AuditLog', () => {
  it('returns at once and writes in batches, in order', async () => {
    const { repo, records, state } = memoryRepo();
    const log = new AuditLog({ repo, batchSize: 10, flushMs: 60_000, now: () => 42 });
    for (let i = 0; i < 25; i++) log.record(input(i));
    assert.equal(records.length, 0, 'nothing written synchronously');
    await log.close();
    assert.equal(records.length, 25);
    assert.equal(state.writes, 3);
    assert.deepEqual(
      records.map((r) => r.clientId),
      Array.from({ length: 25 }, (_, i) => `c${i}`),
    );
    assert.equal(records[0]!.at, 42);
    assert.equal(log.written, 25);
    assert.equal((await log.verify()).ok, true);
  });

  it('flushes on its own after flushMs, or when a batch fills', async () => {
    const timed = memoryRepo();
    const log = new AuditLog({ repo: timed.repo, batchSize: 3, flushMs: 20 });
    log.record(input(1));
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(timed.records.length, 1);
    await log.close();
    const full = memoryRepo();
    const batched = new AuditLog({ repo: full.repo, batchSize: 3, flushMs: 60_000 });
    for (let i = 0; i < 3; i++) batched.record(input(i));
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(full.records.length, 3);
    await batched.close();
  });

  it('stays bounded: when full it drops new events, counts them and warns once in a while', async () => {
    const { repo, records, state } = memoryRepo();
    let release!: () => void;
    state.gate = new Promise((r) => (release = r));
    const warnings: Record<string, unknown>[] = [];
    const log = new AuditLog({ repo, capacity: 5, batchSize: 2, flushMs: 1, warn: (_m, f) => warnings.push(f), warnEveryMs: 60_000 });
    for (let i = 0; i < 4; i++) log.record(input(i));
    await new Promise((r) => setTimeout(r, 10)); // one batch of 2 is now in flight, held back
    for (let i = 4; i < 20; i++) log.record(input(i));
    assert.equal(log.depth, 7, 'capacity waiting plus one batch in flight');
    assert.equal(log.dropped, 13);
    assert.equal(warnings.length, 1, 'rate-limited');
    release();
    await log.close();
    assert.deepEqual(
      records.map((r) => r.clientId),
      ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6'],
      'the oldest are kept',
    );
  });

  it('keeps events when the store fails and writes them once it is back', async () => {
    const { repo, records, state } = memoryRepo();
    const log = new AuditLog({ repo, flushMs: 60_000, warn: () => {} });
    state.fail = true;
    log.record(input(1));
    log.record(input(2));
    await assert.rejects(log.flush(), /store down/);
    assert.equal(log.depth, 2);
    state.fail = false;
    await log.close();
    assert.deepEqual(
      records.map((r) => r.clientId),
      ['c1', 'c2'],
    );
    assert.equal(log.dropped, 0);
  });

  it('never throws into the caller, and tells observers of every event', async () => {
    const { repo } = memoryRepo();
    const seen: string[] = [];
    const log = new AuditLog({ repo, flushMs: 60_000 });
    log.subscribe(() => {
      throw new Error('observer bug');
    });
    log.subscribe((e) => seen.push(e.type));
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    assert.doesNotThrow(() => log.record({ ...input(1), details: circular }));
    log.record(input(2));
    assert.deepEqual(seen, ['token.issued']);
    await log.close();
    log.record(input(3));
    assert.equal(log.dropped, 1, 'recorded after close');
  });

  it('drops undefined fields so the stored record hashes the same', async () => {
    const { repo, records } = memoryRepo();
    const log = new AuditLog({ repo, flushMs: 60_000 });
    log.record({ ...input(1), subject: undefined, details: { a: undefined, b: 1 } });
    await log.close();
    assert.deepEqual(Object.keys(records[0]!).includes('subject'), false);
    assert.deepEqual(records[0]!.details, { b: 1 });
  });

  it('pages queries with a cursor and refuses a bad one', async () => {
    const { repo } = memoryRepo();
    const log = new AuditLog({ repo, flushMs: 60_000 });
    for (let i = 0; i < 5; i++) log.record(input(i));
    await log.flush();
    const first = await log.query({ limit: 2 });
    assert.deepEqual(
      first.events.map((e) => e.sequence),
      [5, 4],
    );
    const second = await log.query({ limit: 2, cursor: first.nextCursor! });
    assert.deepEqual(
      second.events.map((e) => e.sequence),
      [3, 2],
    );
    const last = await log.query({ limit: 2, cursor: second.nextCursor! });
    assert.deepEqual(
      last.events.map((e) => e.sequence),
      [1],
    );
    assert.equal(last.nextCursor, undefined);
    await assert.rejects(log.query({ cursor: 'x' }), /cursor/);
    await assert.rejects(log.query({ limit: 0 }), /limit/);
    const lines: string[] = [];
    for await (const line of log.exportJsonLines()) lines.push(line);
    assert.equal(lines.length, 5);
    assert.equal((JSON.parse(lines[0]!) as AuditRecord).sequence, 1);
    await log.close();
  });

  describe('recordDurably', () => {
    it('resolves once its event is committed, without waiting flushMs, and groups the events that arrive meanwhile', async () => {
      const { repo, records, state } = memoryRepo();
      const log = new AuditLog({ repo, flushMs: 60_000 });
      let release!: () => void;
      state.gate = new Promise((r) => {
        release = r;
      });
      let done = 0;
      const first = log.recordDurably(input(1)).then(() => done++);
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 5)); // the first write has started and is held
      const next = [2, 3, 4].map((n) => log.recordDurably(input(n)).then(() => done++));
      log.record(input(5)); // a plain record rides along in the next write
      assert.equal(done, 0, 'nothing acknowledged before its write');
      release();
      state.gate = undefined;
      await Promise.all([first, ...next]);
      assert.equal(done, 4);
      assert.deepEqual(
        records.map((r) => r.clientId),
        ['c1', 'c2', 'c3', 'c4', 'c5'],
      );
      assert.equal(state.writes, 2, 'one write for the first event, one for all that came while it ran');
      await log.close();
    });

    it('rejects with temporarily_unavailable when the write fails; the event stays queued and is written later', async () => {
      const { repo, records, state } = memoryRepo();
      const log = new AuditLog({ repo, flushMs: 60_000, warn: () => {} });
      state.fail = true;
      await assert.rejects(log.recordDurably(input(1)), (error: Error & { error?: string; status?: number }) => {
        assert.equal(error.error, 'temporarily_unavailable');
        return true;
      });
      state.fail = false;
      await log.close();
      assert.deepEqual(
        records.map((r) => r.clientId),
        ['c1'],
      );
    });

    it('rejects at once when the queue is full or the log is closed', async () => {
      const { repo, state } = memoryRepo();
      state.gate = new Promise(() => {}); // a store that never answers
      const full = new AuditLog({ repo, capacity: 1, flushMs: 60_000, warn: () => {} });
      full.record(input(1));
      await assert.rejects(full.recordDurably(input(2)), /audit log cannot record/);
      const closed = new AuditLog({ repo: memoryRepo().repo, flushMs: 60_000 });
      await closed.close();
      await assert.rejects(closed.recordDurably(input(3)), /audit log cannot record/);
    });
  });
});
