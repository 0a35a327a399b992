import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqliteStore } from '../stores/sqlite/sqlite-store.js';
import { FrozenClock } from './clock.js';
import { Housekeeping } from './housekeeping.js';
import type { StoredToken } from './model.js';

const T0 = 1_800_000_000;

const token = (hash: string, expiresAt: number): StoredToken => ({
  hash,
  kind: 'access_token',
  jti: `jti-${hash}`,
  clientId: 'c',
  subject: 's',
  audience: 'a',
  scope: '',
  issuedAt: T0 - 3600,
  expiresAt,
});

async function seeded() {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  const clock = new FrozenClock(T0);
  await store.insertToken(token('long-expired', T0 - 2 * 86_400));
  await store.insertToken(token('just-expired', T0 - 60));
  await store.insertToken(token('live', T0 + 3600));
  await store.insertSession({ id: 'old', hash: 'h-old', userId: 'u', createdAt: T0 - 7200, lastSeenAt: T0 - 7200, expiresAt: T0 - 1 });
  await store.insertSession({ id: 'new', hash: 'h-new', userId: 'u', createdAt: T0, lastSeenAt: T0, expiresAt: T0 + 3600 });
  await store.putRecord('code', 'spent', {}, T0 - 1);
  await store.putRecord('code', 'fresh', {}, T0 + 60);
  await store.revokeJti('gone', T0 - 1);
  await store.revokeJti('kept', T0 + 60);
  await store.useOnce('m-old', T0 - 1, T0 - 100);
  await store.useOnce('m-new', T0 + 60, T0 - 100);
  const mail = {
    kind: 'invitation',
    recipient: 'r@example.test',
    payload: 'sealed',
    status: 'sent' as const,
    attempts: 1,
    nextAttemptAt: T0,
    createdAt: T0 - 8 * 86_400,
  };
  await store.outbox.enqueueMail({ ...mail, id: 'sent-long-ago', eventKey: 'e1', sentAt: T0 - 8 * 86_400 });
  await store.outbox.enqueueMail({ ...mail, id: 'sent-lately', eventKey: 'e2', sentAt: T0 - 86_400 });
  const device = { clientId: 'c', scopes: [], status: 'pending' as const, createdAt: T0 - 7200, interval: 5 };
  await store.deviceAuthorizations.insertDeviceAuthorization({ ...device, deviceCodeHash: 'd-old', userCodeHash: 'u-old', expiresAt: T0 - 3601 });
  await store.deviceAuthorizations.insertDeviceAuthorization({ ...device, deviceCodeHash: 'd-late', userCodeHash: 'u-late', expiresAt: T0 - 60 });
  return { store, clock };
}

describe('housekeeping', () => {
  it('deletes what has expired and keeps the rest, expired tokens for a grace period', async () => {
    const { store, clock } = await seeded();
    const sweeper = new Housekeeping(store, clock);
    assert.deepEqual(await sweeper.sweep(), {
      tokens: 1,
      sessions: 1,
      records: 1,
      revocations: 1,
      markers: 1,
      mail: 1,
      logoutDeliveries: 0,
      deviceAuthorizations: 1,
    });
    assert.ok(await store.outbox.getMail('sent-lately'));
    assert.ok(await store.deviceAuthorizations.pollDeviceAuthorization('d-late', T0, 5), 'kept an hour, so a late poll hears expired_token');
    assert.equal(await store.findTokenByHash('long-expired'), undefined);
    assert.ok(await store.findTokenByHash('just-expired'), 'kept for a day, so it still reads as expired');
    assert.ok(await store.findTokenByHash('live'));
    assert.deepEqual(
      (await store.listUserSessions('u', T0)).map((s) => s.id),
      ['new'],
    );
    assert.equal(await store.isJtiRevoked('kept'), true);
    assert.equal(await store.useOnce('m-new', T0 + 120, T0), false, 'a live marker still blocks a replay');

    clock.advance(86_400);
    assert.equal((await sweeper.sweep()).tokens, 1, 'a day later its grace is over');
    assert.equal(await store.findTokenByHash('just-expired'), undefined);
    await store.close();
  });

  it('deletes a large backlog in chunks, all of it', async () => {
    const { store, clock } = await seeded();
    for (let i = 0; i < 12_000; i++) await store.insertToken(token(`bulk-${i}`, T0 - 3 * 86_400));
    assert.equal((await new Housekeeping(store, clock).sweep()).tokens, 12_001);
    await store.close();
  });

  it('joins a sweep already running, and stops its timer', async () => {
    const { store, clock } = await seeded();
    const sweeper = new Housekeeping(store, clock, { intervalMs: 60_000 });
    const [a, b] = await Promise.all([sweeper.sweep(), sweeper.sweep()]);
    assert.equal(a, b);
    sweeper.start();
    sweeper.stop();
    await store.close();
  });
});
