/**
 * `tessera sessions revoke` on the database directly (`--data`): the session's
 * back-channel logout deliveries are recorded in the outbox, unsent, for the running
 * server to send (issue 19: an administrator revoking sessions tells the apps too).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openEngine } from '../../src/cli/open-engine.js';
import { inProcess } from './run-cli.js';

describe('tessera sessions revoke --data, with back-channel logout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bcl-'));
  const data = join(dir, 'data');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('records the deliveries for the running server, and sends nothing itself', async () => {
    const client = await inProcess(
      'clients',
      'create',
      'calendar-app',
      '--grant',
      'authorization_code',
      '--redirect-uri',
      'https://calendar.test/cb',
      '--backchannel-logout-uri',
      'https://calendar.test/bcl',
      '--data',
      data,
    );
    assert.equal(client.code, 0, client.err);
    const user = await inProcess('users', 'create', 'alice', '--data', data);
    assert.equal(user.code, 0, user.err);

    // A session that signed into calendar-app, as /authorize would leave it.
    const opened = await openEngine({ data }, {});
    const alice = (await opened.store.getUserByUsername('alice'))!;
    const { session } = await opened.engine.sessions.create(alice.id);
    await opened.engine.backchannelLogout!.signedInto(session.sid, session.authTime + 3600, { clientId: 'calendar-app', sub: alice.id, sid: session.sid });
    await opened.engine.close();
    await opened.store.close();

    const revoked = await inProcess('sessions', 'revoke', '--user', 'alice', '--all', '--data', data);
    assert.equal(revoked.code, 0, revoked.err);

    const reopened = await openEngine({ data }, {});
    try {
      const [pending] = await reopened.store.logoutOutbox.listMail({ status: 'pending', limit: 10 });
      assert.equal(pending?.recipient, 'calendar-app');
      assert.equal(pending.attempts, 0, 'not tried here: the server sends it');
      assert.equal(JSON.parse(pending.payload).session.sid, session.sid);
    } finally {
      await reopened.engine.close();
      await reopened.store.close();
    }
  });
});
