/**
 * `tessera sessions` and `tessera grants` against a running server: tables by default,
 * --json, --help, and ending a session or revoking a grant for real.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MANAGEMENT_SCOPES } from '../../src/management/management-api.js';
import { TestBrowser } from '../support/browser.js';
import { CALLBACK, makeFixture, SECRETS } from '../support/fixture.js';
import { authorize } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';
import { inProcess, json, tessera } from './run-cli.js';

describe('tessera sessions and grants', () => {
  let server: TestServer;
  let env: Record<string, string>;
  let api: (...argv: string[]) => ReturnType<typeof inProcess>;
  let refreshToken: string;
  const asCalendar = basic('calendar-app', SECRETS.calendar);

  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config });
    const root = (await server.engine.store.getUserByUsername('root'))!;
    const token = (
      await server.engine.credentials.createPersonalAccessToken(root.id, { name: 'cli', api: `${server.url}/api/v1`, scopes: [...MANAGEMENT_SCOPES] })
    ).token;
    env = { TESSERA_SERVER: server.url, TESSERA_TOKEN: token };
    api = (...argv) => inProcess(...argv, '--server', server.url, '--token', token);
    for (let i = 0; i < 2; i++) {
      const { code } = await authorize(new TestBrowser(), server.url, {
        client_id: 'calendar-app',
        response_type: 'code',
        redirect_uri: CALLBACK,
        scope: 'openid read:calendars',
      });
      const tokens = await server.post('/token', { grant_type: 'authorization_code', code: code!, redirect_uri: CALLBACK }, asCalendar);
      refreshToken = tokens.body.refresh_token as string;
    }
  });
  after(() => server.close());

  it('lists sessions as a table and as JSON, and ends one, then all (real binary)', async () => {
    const table = await tessera(['sessions', 'list', '--user', 'alice'], { env });
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /^ID\s+SIGNED IN\s+LAST SEEN\s+EXPIRES\s+IP\s+DEVICE$/m);
    assert.equal(table.out.split('\n').length, 3, 'a header and two sessions');
    const sessions = json<{ id: string }[]>(await tessera(['sessions', 'list', '--user', 'alice', '--json'], { env }));
    assert.equal(sessions.length, 2);
    const ended = await tessera(['sessions', 'revoke', '--user', 'alice', sessions[1]!.id], { env });
    assert.equal(ended.code, 0, ended.err);
    assert.equal(ended.out, `ended session ${sessions[1]!.id} of alice`);
    const again = await api('sessions', 'revoke', '--user', 'alice', sessions[1]!.id);
    assert.equal(again.code, 1);
    assert.match(again.err, /alice has no live session/);
    assert.deepEqual(json(await api('sessions', 'revoke', '--user', 'alice', '--all', '--json')), { ended: 1 });
    assert.equal((await api('sessions', 'list', '--user', 'alice')).out, 'alice is not signed in anywhere');
  });

  it('lists grants and revokes one, after which its refresh token is refused', async () => {
    const table = await tessera(['grants', 'list', '--user', 'alice'], { env });
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /^ID\s+CLIENT\s+SCOPES\s+GRANTED\s+REFRESHED\s+LAST USED\s+EXPIRES$/m);
    assert.match(table.out, /calendar-app\s+openid read:calendars/);
    const grants = json<{ id: string }[]>(await api('grants', 'list', '--user', 'alice', '--json'));
    assert.equal(grants.length, 2);
    const grantId = (await server.engine.store.findTokenByHash(server.engine.hasher.hash(refreshToken)))!.grantId!;
    assert.ok(grants.some((g) => g.id === grantId));
    const revoked = await tessera(['grants', 'revoke', '--user', 'alice', grantId], { env });
    assert.equal(revoked.code, 0, revoked.err);
    assert.equal(revoked.out, `revoked grant ${grantId} of alice for calendar-app`);
    const refused = await server.post('/token', { grant_type: 'refresh_token', refresh_token: refreshToken }, asCalendar);
    assert.equal(refused.body.error, 'invalid_grant');
    assert.equal((await api('grants', 'list', '--user', 'alice', '--json')).out.includes(grantId), false);
    assert.equal((await api('grants', 'revoke', '--user', 'alice', grantId)).code, 1);
  });

  it('explains itself and refuses bad usage', async () => {
    const help = await api('sessions', '--help');
    assert.match(help.out, /tessera sessions list\s+list a user's live sessions/);
    assert.match((await api('grants', 'revoke', '--help')).out, /^tessera grants revoke --user USER GRANT_ID$/m);
    assert.equal((await api('sessions', 'revoke', '--user', 'alice')).code, 2, 'neither an id nor --all');
    assert.equal((await api('sessions', 'revoke', '--user', 'alice', 'x', '--all')).code, 2, 'both');
    assert.equal((await api('grants', 'list')).code, 2, '--user is required');
    assert.equal((await api('grants', 'list', '--user', 'nobody')).code, 1);
  });
});
