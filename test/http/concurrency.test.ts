/**
 * Races on single-use credentials, with 50 concurrent requests each. CI runs this on
 * SQLite and on PostgreSQL (TESSERA_TEST_STORE=postgres), where the requests really
 * run in parallel on different connections.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestBrowser } from '../support/browser.js';
import { CALLBACK, makeFixture, SECRETS } from '../support/fixture.js';
import { authorize } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer, type TestResponse } from '../support/test-server.js';

const RACERS = 50;

for (const reuseGrace of [10, 0]) {
  describe(`concurrent use of single-use credentials (refresh grace ${reuseGrace}s)`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ config: (await makeFixture()).config, refreshTokens: { reuseGrace } });
    });
    after(() => server.close());

    const asCalendar = basic('calendar-app', SECRETS.calendar);
    const code = async () =>
      (await authorize(new TestBrowser(), server.url, { client_id: 'calendar-app', response_type: 'code', redirect_uri: CALLBACK, scope: 'openid read:calendars' })).code!;
    const redeem = (c: string) => server.post('/token', { grant_type: 'authorization_code', code: c, redirect_uri: CALLBACK }, asCalendar);
    const refresh = (t: string) => server.post('/token', { grant_type: 'refresh_token', refresh_token: t }, asCalendar);
    const statuses = (results: TestResponse[]) => results.map((r) => (r.status === 200 ? 'ok' : String(r.body.error)));

    it('redeems one code exactly once among 50 racers', async () => {
      const shared = await code();
      const results = await Promise.all(Array.from({ length: RACERS }, () => redeem(shared)));
      const ok = results.filter((r) => r.status === 200);
      assert.equal(ok.length, 1, statuses(results).join(','));
      assert.ok(results.every((r) => r.status === 200 || r.body.error === 'invalid_grant'), statuses(results).join(','));
    });
    it('rotates one refresh token consistently among 50 racers', async () => {
      const start = await redeem(await code());
      const results = await Promise.all(Array.from({ length: RACERS }, () => refresh(start.body.refresh_token as string)));
      const ok = results.filter((r) => r.status === 200);
      assert.ok(results.every((r) => r.status === 200 || r.body.error === 'invalid_grant'), statuses(results).join(','));
      assert.ok(ok.length >= 1, 'at least one rotation succeeds');
      const issued = ok.map((r) => r.body.refresh_token as string);
      assert.equal(new Set(issued).size, issued.length, 'every new refresh token is distinct');
      // Afterwards, each issued token is either usable or its family was revoked as a whole: never half.
      const after = await Promise.all(issued.map((t) => refresh(t)));
      const usable = after.filter((r) => r.status === 200).length;
      if (reuseGrace === 0) {
        assert.equal(ok.length, 1, 'no grace: a single winner');
        assert.equal(usable, 0, 'and the reuse by the 49 others revoked the family');
      } else {
        assert.ok(usable === issued.length || usable === 0, `${usable} of ${issued.length} usable`);
      }
    });
  });
}
