/**
 * The store contract's part for mail: the outbox (one message per event, claims
 * that two workers never share, retries, the console's lists and counts) and
 * finding users by email address.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OutboxMessage } from '../../core/ports/outbox.js';
import type { Store } from '../../core/ports/storage.js';

const message = (id: string, overrides: Partial<OutboxMessage> = {}): OutboxMessage => ({
  id,
  eventKey: `event-${id}`,
  kind: 'password-reset',
  recipient: `${id}@example.test`,
  payload: `sealed-${id}`,
  status: 'pending',
  attempts: 0,
  nextAttemptAt: 1000,
  createdAt: 1000,
  ...overrides,
});

export function outboxContract(store: () => Store): void {
  describe('mail', () => {
    it('finds users by email address, without regard to case', async () => {
      await store().upsertUser({ id: 'm1', username: 'mail-one', email: 'Shared@Example.test', active: true, roles: [] });
      await store().upsertUser({ id: 'm2', username: 'mail-two', email: 'shared@example.test', active: true, roles: [] });
      assert.deepEqual(
        (await store().findUsersByEmail('SHARED@example.test')).map((u) => u.id),
        ['m1', 'm2'],
      );
      await store().upsertUser({ id: 'm1', username: 'mail-one', email: 'other@example.test', active: true, roles: [] });
      assert.deepEqual(
        (await store().findUsersByEmail('shared@example.test')).map((u) => u.id),
        ['m2'],
      );
      assert.deepEqual(await store().findUsersByEmail('nobody@example.test'), []);
    });

    it('keeps one message per event and reads it back exactly', async () => {
      assert.equal(await store().outbox.enqueueMail(message('o1')), true);
      assert.equal(await store().outbox.enqueueMail(message('o1-again', { eventKey: 'event-o1' })), false, 'same event');
      assert.deepEqual(await store().outbox.getMail('o1'), message('o1'));
      assert.equal(await store().outbox.getMail('o1-again'), undefined);
    });

    it('lets concurrent claims take each due message once, and again only after the lease', async () => {
      await store().outbox.enqueueMail(message('o2', { createdAt: 1001 }));
      await store().outbox.enqueueMail(message('o3', { nextAttemptAt: 5000 }));
      const claims = await Promise.all(Array.from({ length: 5 }, () => store().outbox.claimMail(1500, 1600, 10)));
      const taken = claims
        .flat()
        .map((m) => m.id)
        .sort();
      assert.deepEqual(taken, ['o1', 'o2'], 'each due message exactly once; o3 is not due');
      assert.deepEqual(await store().outbox.claimMail(1599, 1700, 10), [], 'leased');
      assert.deepEqual(
        (await store().outbox.claimMail(1600, 1700, 1)).map((m) => m.id),
        ['o1'],
        'oldest first, up to the limit',
      );
    });

    it('records sending, failures, retries, and counts and lists by status', async () => {
      await store().outbox.markMailSent('o1', 1650);
      const sent = await store().outbox.getMail('o1');
      assert.equal(sent?.status, 'sent');
      assert.equal(sent?.sentAt, 1650);
      assert.equal(sent?.attempts, 1);
      await store().outbox.markMailFailed('o2', { attempts: 3, status: 'pending', nextAttemptAt: 2000, lastError: 'x'.repeat(2000) });
      assert.equal((await store().outbox.getMail('o2'))?.lastError?.length, 500, 'bounded');
      assert.deepEqual(
        (await store().outbox.claimMail(2000, 2100, 10)).map((m) => m.id),
        ['o2'],
      );
      await store().outbox.markMailFailed('o2', { attempts: 4, status: 'failed', nextAttemptAt: 2100, lastError: 'gave up' });
      assert.deepEqual(
        await store()
          .outbox.claimMail(9000, 9100, 10)
          .then((l) => l.map((m) => m.id)),
        ['o3'],
        'a failed message is not retried on its own',
      );
      assert.deepEqual(await store().outbox.countMail(), { pending: 1, sent: 1, failed: 1 });
      assert.deepEqual(
        (await store().outbox.listMail({ status: 'failed', limit: 10 })).map((m) => [m.id, m.lastError]),
        [['o2', 'gave up']],
      );
      assert.deepEqual(
        (await store().outbox.listMail({ limit: 2 })).map((m) => m.id),
        ['o2', 'o3'],
      );
      assert.equal(await store().outbox.retryMail('o1', 9000), false, 'only a failed message is retried');
      assert.equal(await store().outbox.retryMail('o2', 9000), true);
      assert.deepEqual(
        (await store().outbox.claimMail(9000, 9100, 10)).map((m) => m.id),
        ['o2'],
      );
      assert.equal(await store().outbox.deleteSentMail(1650), 0, 'not before it was sent');
      assert.equal(await store().outbox.deleteSentMail(1651), 1);
      assert.equal(await store().outbox.getMail('o1'), undefined);
    });

    it('keeps back-channel logout deliveries in an outbox of their own, with the same behaviour', async () => {
      const delivery = message('l1', { kind: 'logout_token', recipient: 'calendar-app', payload: '{"session":{}}' });
      assert.equal(await store().logoutOutbox.enqueueMail(delivery), true);
      assert.equal(await store().logoutOutbox.enqueueMail({ ...delivery, id: 'l1-again' }), false, 'same event');
      assert.equal(await store().outbox.getMail('l1'), undefined, 'never in the mail outbox');
      assert.deepEqual(await store().logoutOutbox.getMail('l1'), delivery);
      const [a, b] = await Promise.all([store().logoutOutbox.claimMail(1000, 1060, 10), store().logoutOutbox.claimMail(1000, 1060, 10)]);
      assert.deepEqual(
        [...a, ...b].map((m) => m.id),
        ['l1'],
        'claimed once',
      );
      await store().logoutOutbox.markMailFailed('l1', { attempts: 1, status: 'pending', nextAttemptAt: 1005, lastError: 'HTTP 503' });
      assert.deepEqual(
        (await store().logoutOutbox.claimMail(1005, 1065, 10)).map((m) => [m.id, m.attempts]),
        [['l1', 1]],
      );
      await store().logoutOutbox.markMailSent('l1', 1006);
      assert.deepEqual(await store().logoutOutbox.countMail(), { pending: 0, sent: 1, failed: 0 });
      assert.equal(await store().logoutOutbox.deleteSentMail(1007), 1);
    });
  });
}
