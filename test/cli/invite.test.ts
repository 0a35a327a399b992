/**
 * `tessera users invite` on the local store: the invitation waits in the outbox
 * (the CLI sends nothing itself) until a server on the same data directory starts
 * and delivers it to a real SMTP server; its link then sets the password.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseMasterKey } from '../../src/core/crypto/master-key.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import { readForm, TestBrowser } from '../support/browser.js';
import { linkIn, mailTo, TestSmtp } from '../support/smtp.js';
import { startTestServer } from '../support/test-server.js';
import { inProcess, json } from './run-cli.js';

describe('tessera users invite', () => {
  let dir: string;
  let smtp: TestSmtp;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-invite-'));
    smtp = await TestSmtp.start();
  });
  after(async () => {
    await smtp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('queues the invitation locally; a server on the same data delivers it and its link works', async () => {
    const invited = await inProcess(
      'users',
      'invite',
      'quinn@example.test',
      '--username',
      'quinn',
      '--name',
      'Quinn',
      '--data',
      dir,
      '--issuer',
      'https://id.example.test',
      '--json',
    );
    assert.equal(invited.code, 0, invited.err);
    const body = json<{ user: { username: string; hasPassword: boolean }; created: boolean }>(invited);
    assert.deepEqual([body.user.username, body.user.hasPassword, body.created], ['quinn', false, true]);
    const usage = await inProcess('users', 'invite', '--data', dir);
    assert.equal(usage.code, 2);

    const store = new SqliteStore(join(dir, 'tessera.db'));
    const server = await startTestServer({ store, masterKey: parseMasterKey(readFileSync(join(dir, 'master.key'), 'utf8')), mail: mailTo(smtp) });
    try {
      const [mail] = await smtp.mailTo('quinn@example.test');
      // The link names the issuer the CLI was given; the test server listens elsewhere.
      const link = linkIn(mail!, 'https://id.example.test/invitation/');
      const path = new URL(link).pathname;
      const browser = new TestBrowser();
      const form = readForm((await browser.get(`${server.url}${path}`)).html);
      const done = await browser.post(`${server.url}${path}`, { ...form.fields, password: 'quinns-password', confirm_password: 'quinns-password' });
      assert.equal(done.status, 303);
      assert.equal((await store.getUserByUsername('quinn'))?.emailVerified, true);
    } finally {
      await server.close();
      await store.close();
    }
  });
});
