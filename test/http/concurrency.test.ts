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
      (
        await authorize(new TestBrowser(), server.url, {
          client_id: 'calendar-app',
          response_type: 'code',
          redirect_uri: CALLBACK,
          scope: 'openid read:calendars',
        })
      ).code!;
    const redeem = (c: string) => server.post('/token', { grant_type: 'authorization_code', code: c, redirect_uri: CALLBACK }, asCalendar);
    const refresh = (t: string) => server.post('/token', { grant_type: 'refresh_token', refresh_token: t }, asCalendar);
    const statuses = (results: TestResponse[]) => results.map((r) => (r.status === 200 ? 'ok' : String(r.body.error)));

    it('redeems one code exactly once among 50 racers', async () => {
      const shared = await code();
      const results = await Promise.all(Array.from({ length: RACERS }, () => redeem(shared)));
      const ok = results.filter((r) => r.status === 200);
      assert.equal(ok.length, 1, statuses(results).join(','));
      assert.ok(
        results.every((r) => r.status === 200 || r.body.error === 'invalid_grant'),
        statuses(results).join(','),
      );
    });
    it('rotates one refresh token consistently among 50 racers', async () => {
      const start = await redeem(await code());
      const results = await Promise.all(Array.from({ length: RACERS }, () => refresh(start.body.refresh_token as string)));
      const ok = results.filter((r) => r.status === 200);
      assert.ok(
        results.every((r) => r.status === 200 || r.body.error === 'invalid_grant'),
        statuses(results).join(','),
      );
      assert.ok(ok.length >= 1, 'at least one rotation succeeds');
      const issued = new Set(ok.map((r) => r.body.refresh_token as string));
      // At most one family survives (RFC 9700 §4.14.2): every winner holds the same successor.
      assert.equal(issued.size, 1, `${issued.size} distinct successors`);
      const [successor] = [...issued] as [string];
      if (reuseGrace === 0) {
        assert.equal(ok.length, 1, 'no grace: a single winner');
        assert.equal((await refresh(successor)).body.error, 'invalid_grant', 'and the reuse by the 49 others revoked the family');
      } else {
        assert.equal(ok.length, RACERS, 'within the grace period every racer is a retry');
        const next = await refresh(successor);
        assert.equal(next.status, 200, JSON.stringify(next.body));
        const again = await refresh(successor);
        assert.equal(again.body.refresh_token, next.body.refresh_token, 'a second use within the grace period stays in the one family');
      }
    });
  });
}
