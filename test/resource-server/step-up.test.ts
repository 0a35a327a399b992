/**
 * RFC 9470 step-up in the SDK: requireAuthLevel({ acr, maxAge }) passes a token whose
 * sign-in was strong and recent enough, and otherwise answers 401
 * insufficient_user_authentication with acr_values and max_age in WWW-Authenticate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import {
  ACR_MULTI_FACTOR,
  ACR_ONE_FACTOR,
  createAuthenticator,
  renderAuthError,
  requireAuthLevel,
  requireScopes,
  type AuthResult,
} from '../../packages/resource-server/src/index.js';
import { AUDIENCE, startFakeIssuer, type FakeIssuer } from './support/fake-issuer.js';

describe('resource-server: requireAuthLevel (RFC 9470 step-up)', () => {
  let issuer: FakeIssuer;
  const clock = new FrozenClock(1_800_000_000);
  before(async () => {
    issuer = await startFakeIssuer({ now: () => clock.now() });
  });
  after(() => issuer.close());

  const auth = () => createAuthenticator({ issuer: issuer.url, audience: AUDIENCE, clock });
  const guard = requireAuthLevel({ acr: ACR_MULTI_FACTOR, maxAge: 300 });
  async function check(claims: Record<string, unknown>): Promise<AuthResult> {
    const a = auth();
    const authenticated = await a.authenticate({ method: 'GET', url: '/payments', headers: { authorization: `Bearer ${await issuer.jwt(claims)}` } });
    assert.ok(authenticated.ok);
    return a.authorize(authenticated.principal, [requireScopes('read:calendars'), guard]);
  }

  it('passes a recent two-factor sign-in and exposes how the user signed in', async () => {
    const result = await check({ auth_time: clock.now() - 60, acr: ACR_MULTI_FACTOR, amr: ['pwd', 'otp', 'mfa'] });
    assert.ok(result.ok);
    assert.deepEqual({ ...result.principal.authentication }, { authTime: clock.now() - 60, acr: ACR_MULTI_FACTOR, amr: ['pwd', 'otp', 'mfa'] });
  });

  it('answers 401 insufficient_user_authentication with acr_values and max_age', async () => {
    for (const claims of [
      { auth_time: clock.now() - 60, acr: ACR_ONE_FACTOR, amr: ['pwd'] },
      { auth_time: clock.now() - 301, acr: ACR_MULTI_FACTOR, amr: ['pwd', 'otp', 'mfa'] },
      {},
    ]) {
      const result = await check(claims);
      assert.ok(!result.ok, JSON.stringify(claims));
      const rendered = renderAuthError(result.error);
      assert.equal(rendered.status, 401);
      assert.equal(
        rendered.headers['www-authenticate'],
        `Bearer error="insufficient_user_authentication", error_description="A more recent or stronger sign-in is required", acr_values="${ACR_MULTI_FACTOR}", max_age=300`,
      );
      assert.equal(JSON.parse(rendered.body).error, 'insufficient_user_authentication');
    }
  });

  it('checks its options at setup', () => {
    assert.throws(() => requireAuthLevel({}), TypeError);
    assert.throws(() => requireAuthLevel({ acr: 'gold' }), /unknown acr/);
    assert.throws(() => requireAuthLevel({ maxAge: -1 }), TypeError);
    const fresh = requireAuthLevel({ maxAge: 0 });
    assert.ok(fresh);
  });
});
