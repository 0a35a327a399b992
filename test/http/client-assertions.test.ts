/**
 * private_key_jwt assertions as other libraries sign them (issue 13): Authlib signs
 * for one hour by default; `aud` may be the issuer or the token endpoint but an array
 * must name nothing else; the strict `issuer` setting (FAPI 2.0) takes the issuer only.
 * The jti of an accepted assertion stays spent until the assertion expires.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { FrozenClock } from '../../src/core/clock.js';
import { makeFixture, type Fixture } from '../support/fixture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('private_key_jwt client assertions', () => {
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));
  let fixture: Fixture;
  let server: TestServer;
  let strict: TestServer;
  before(async () => {
    fixture = await makeFixture();
    server = await startTestServer({ config: fixture.config, clock });
    strict = await startTestServer({ config: fixture.config, clock, clientAssertions: { audience: 'issuer' } });
  });
  after(async () => {
    await server.close();
    await strict.close();
  });

  const assertion = (aud: string | string[], lifetime = 3600, jti = randomUUID()) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: fixture.clientKid })
      .setIssuer('jwt-client')
      .setSubject('jwt-client')
      .setAudience(aud)
      .setJti(jti)
      .setIssuedAt(clock.now())
      .setExpirationTime(clock.now() + lifetime)
      .sign(fixture.clientPrivateKey);
  const token = (target: TestServer, signed: string) =>
    target.post('/token', {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: signed,
    });

  it("accepts an assertion valid for one hour (Authlib's default), and no longer", async () => {
    const ok = await token(server, await assertion(`${server.url}/token`));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const tooLong = await token(server, await assertion(`${server.url}/token`, 3601 + 60));
    assert.equal(tooLong.status, 401);
    assert.match(tooLong.body.error_description as string, /must expire within 3600 seconds/);
  });

  it('keeps the jti spent until the assertion expires', async () => {
    const signed = await assertion(server.url);
    assert.equal((await token(server, signed)).status, 200);
    clock.advance(50 * 60);
    const replay = await token(server, signed);
    assert.equal(replay.status, 401);
    assert.match(replay.body.error_description as string, /already been used/);
    await server.engine.housekeeping.sweep();
    assert.equal((await token(server, signed)).status, 401, 'still spent after housekeeping, while the assertion lives');
  });

  it('takes aud as the issuer or the token endpoint, and refuses arrays naming anything else', async () => {
    assert.equal((await token(server, await assertion([server.url, `${server.url}/token`]))).status, 200);
    for (const aud of [[server.url, 'https://other.example'], ['https://other.example'], 'https://other.example', `${server.url}/userinfo`]) {
      const refused = await token(server, await assertion(aud));
      assert.equal(refused.status, 401, JSON.stringify(aud));
      assert.equal(refused.body.error, 'invalid_client');
      assert.match(refused.body.error_description as string, /aud must be the issuer or this endpoint/);
    }
  });

  it('takes the issuer alone, as a single value, when set to "issuer"', async () => {
    assert.equal((await token(strict, await assertion(strict.url))).status, 200);
    for (const aud of [`${strict.url}/token`, [strict.url], [strict.url, `${strict.url}/token`]]) {
      const refused = await token(strict, await assertion(aud));
      assert.equal(refused.status, 401, JSON.stringify(aud));
      assert.match(refused.body.error_description as string, /aud must be the issuer/);
    }
  });
});
