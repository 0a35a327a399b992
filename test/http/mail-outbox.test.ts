/**
 * The outbox against a real SMTP server that goes away: a message queued while
 * SMTP is down is retried with backoff and delivered once it is back; a restart in
 * between loses nothing; a message is delivered once, however many workers run;
 * failures show in the metrics.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { AuthorizationServer } from '../../src/core/authorization-server.js';
import { FrozenClock } from '../../src/core/clock.js';
import type { Store } from '../../src/core/ports/storage.js';
import { makeFixture } from '../support/fixture.js';
import { mailTo, TestSmtp } from '../support/smtp.js';
import { createTestStore } from '../support/test-store.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const content = (n: number) => ({ subject: `Message ${n}`, text: `Text ${n}`, html: `<p>Text ${n}</p>` });

describe('mail outbox', () => {
  let smtp: TestSmtp;
  let store: Store;
  let dispose: () => Promise<void>;
  const masterKey = randomBytes(32);
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));
  const open: TestServer[] = [];

  const start = async () => {
    const server = await startTestServer({ config: (await makeFixture()).config, clock, mail: mailTo(smtp, {}, { pollMs: 3_600_000 }), store, masterKey });
    open.push(server);
    return server;
  };

  before(async () => {
    smtp = await TestSmtp.start();
    ({ store, dispose } = await createTestStore());
  });
  after(async () => {
    for (const server of open) await server.close().catch(() => {});
    await dispose();
    await smtp.stop();
  });

  it('retries with backoff while SMTP is down, across a restart, and delivers once it is back', async () => {
    const first = await start();
    await smtp.stop();
    const outbox = first.engine.mail!.outbox;
    assert.equal(await outbox.enqueue('test:outage', 'password-reset', 'carol@example.test', content(1)), true);
    await outbox.deliverDue();
    const [waiting] = await store.outbox.listMail({ status: 'pending', limit: 1 });
    assert.equal(waiting?.attempts, 1);
    assert.match(waiting?.lastError ?? '', /ECONNREFUSED|connect/i);
    assert.equal(waiting?.nextAttemptAt, clock.now() + 30, 'first retry after 30 s');
    assert.doesNotMatch(waiting!.payload, /Message 1/, 'the content is sealed at rest');
    const metrics = await (await fetch(`${first.url}/metrics`)).text();
    assert.match(metrics, /tessera_mail_send_failures_total 1/);
    assert.match(metrics, /tessera_mail_outbox_messages\{status="pending"\} 1/);

    clock.advance(30);
    await outbox.deliverDue();
    assert.equal((await store.outbox.getMail(waiting!.id))?.nextAttemptAt, clock.now() + 60, 'then twice as long');

    // The instance stops; another starts on the same store with SMTP back.
    await first.close();
    open.pop();
    await smtp.listen();
    const second = await start();
    clock.advance(59);
    await second.engine.mail!.outbox.deliverDue();
    assert.equal(smtp.received.length, 0, 'not before its time');
    clock.advance(1);
    await second.engine.mail!.outbox.deliverDue();
    const [mail] = await smtp.mailTo('carol@example.test');
    assert.equal(mail!.subject, 'Message 1');
    assert.equal((await store.outbox.getMail(waiting!.id))?.status, 'sent');
    clock.advance(3600);
    await second.engine.mail!.outbox.deliverDue();
    assert.equal(smtp.received.filter((m) => m.to.includes('carol@example.test')).length, 1, 'sent once');
  });

  it('queues one message per event and delivers each once, however many instances work the outbox', async () => {
    const [a, b] = [open[0]!, await start()];
    const engines: AuthorizationServer[] = [a.engine, b.engine];
    for (let n = 0; n < 10; n++) {
      const queued = await Promise.all(engines.map((e) => e.mail!.outbox.enqueue(`test:event-${n}`, 'password-reset', 'dave@example.test', content(n))));
      assert.equal(queued.filter(Boolean).length, 1, 'the second enqueue of an event is a no-op');
    }
    await Promise.all([...engines, ...engines].map((e) => e.mail!.outbox.deliverDue()));
    const got = await smtp.mailTo('dave@example.test', 10);
    await Promise.all(engines.map((e) => e.mail!.outbox.deliverDue()));
    assert.deepEqual(got.map((m) => m.subject).sort(), Array.from({ length: 10 }, (_, n) => `Message ${n}`).sort());
    assert.equal(smtp.received.filter((m) => m.to.includes('dave@example.test')).length, 10);
  });

  it('gives up after the last attempt and lets an administrator retry', async () => {
    const server = open[0]!;
    const outbox = server.engine.mail!.outbox;
    smtp.refuse = 'mailbox temporarily unavailable';
    await outbox.enqueue('test:refused', 'invitation', 'erin@example.test', content(99));
    for (let i = 0; i < outbox.policy.maxAttempts; i++) {
      await outbox.deliverDue();
      clock.advance(outbox.policy.maxDelay);
    }
    const [failed] = await store.outbox.listMail({ status: 'failed', limit: 5 });
    assert.equal(failed?.recipient, 'erin@example.test');
    assert.equal(failed?.attempts, outbox.policy.maxAttempts);
    assert.match(failed?.lastError ?? '', /mailbox temporarily unavailable/);
    smtp.refuse = undefined;
    await outbox.deliverDue();
    assert.equal(smtp.received.filter((m) => m.to.includes('erin@example.test')).length, 0, 'a failed message waits for a person');
    assert.equal(await store.outbox.retryMail(failed!.id, clock.now()), true);
    await outbox.deliverDue();
    await smtp.mailTo('erin@example.test');
  });
});
