/**
 * DPoP (RFC 9449) at the token endpoint, driven by oauth4webapi's DPoP support: bound
 * tokens for client credentials (JWT and reference), a public client's code and bound
 * refresh token; and the refusals: replayed proofs, wrong htm/htu, stale iat, another
 * key, a bound refresh token without a proof, a missing server nonce.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import { TestBrowser } from '../support/browser.js';
import { CALLBACK, makeFixture, MAPPERS, ORGANIZER, SECRETS, SPA_CALLBACK } from '../support/fixture.js';
import { authorize, pkce } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;

async function keyPair() {
  const pair = await generateKeyPair('ES256', { extractable: true });
  return { ...pair, jwk: await exportJWK(pair.publicKey) };
}

/** A hand-made proof, for the cases a well-behaved client library never sends. */
async function handProof(key: Awaited<ReturnType<typeof keyPair>>, claims: Record<string, unknown>) {
  return new SignJWT({ iat: Math.floor(Date.now() / 1000), jti: crypto.randomUUID(), ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
    .sign(key.privateKey);
}

async function discover(server: TestServer): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(server.url);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
}

describe('DPoP at the token endpoint', () => {
  let server: TestServer;
  let as: oauth.AuthorizationServer;
  before(async () => {
    const { config } = await makeFixture();
    (config.clients as unknown[]).push({
      clientId: 'strict-worker',
      secrets: ['strict-worker-secret-0123456789'],
      api: ORGANIZER,
      scopes: ['read:calendars'],
      requireDpop: true,
    });
    server = await startTestServer({ config });
    as = await discover(server);
  });
  after(() => server.close());

  it('advertises the proof algorithms', () => {
    assert.ok(as.dpop_signing_alg_values_supported?.includes('ES256'));
    assert.ok(as.dpop_signing_alg_values_supported?.includes('EdDSA'));
    assert.ok(!as.dpop_signing_alg_values_supported?.includes('HS256'));
  });

  it('binds a client-credentials JWT to the key: token_type DPoP, cnf.jkt', async () => {
    const pair = await oauth.generateKeyPair('ES256');
    const client: oauth.Client = { client_id: 'basic-client' };
    const dpop = oauth.DPoP(client, pair);
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretBasic(SECRETS.basic),
      { scope: 'read:calendars' },
      { DPoP: dpop, ...insecure },
    );
    const tokens = await oauth.processClientCredentialsResponse(as, client, response);
    assert.equal(tokens.token_type, 'dpop');
    const claims = decodeJwt(tokens.access_token);
    assert.equal(claims.aud, ORGANIZER);
    assert.deepEqual(claims.cnf, { jkt: await calculateJwkThumbprint(await exportJWK(pair.publicKey)) });
  });

  it('binds a reference token too: introspection returns cnf and token_type DPoP', async () => {
    const key = await keyPair();
    const url = `${server.url}/token`;
    const res = await server.post(
      '/token',
      { grant_type: 'client_credentials', client_id: 'post-client', client_secret: SECRETS.post },
      { dpop: await handProof(key, { htm: 'POST', htu: url }) },
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.token_type, 'DPoP');
    const info = await server.post('/introspect', { token: res.body.access_token as string }, basic('introspector', SECRETS.introspector));
    assert.equal(info.body.aud, MAPPERS);
    assert.equal(info.body.token_type, 'DPoP');
    assert.deepEqual(info.body.cnf, { jkt: await calculateJwkThumbprint(key.jwk) });
  });

  it('refuses a token request without a proof from a client that requires DPoP', async () => {
    const strict = basic('strict-worker', 'strict-worker-secret-0123456789');
    const res = await server.post('/token', { grant_type: 'client_credentials' }, strict);
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_dpop_proof');
    const proof = await handProof(await keyPair(), { htm: 'POST', htu: `${server.url}/token` });
    assert.equal((await server.post('/token', { grant_type: 'client_credentials' }, { ...strict, dpop: proof })).body.token_type, 'DPoP');
  });

  it('issues Bearer tokens without a proof, as before', async () => {
    const res = await server.post('/token', { grant_type: 'client_credentials' }, basic('basic-client', SECRETS.basic));
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(decodeJwt(res.body.access_token as string).cnf, undefined);
  });

  it('refuses replayed proofs, wrong htm or htu, a stale iat and HMAC proofs', async () => {
    const key = await keyPair();
    const url = `${server.url}/token`;
    const send = (proof: string) => server.post('/token', { grant_type: 'client_credentials' }, { ...basic('basic-client', SECRETS.basic), dpop: proof });
    const proof = await handProof(key, { htm: 'POST', htu: `${url}?ignored=1` });
    assert.equal((await send(proof)).status, 200, 'query and fragment are not compared');
    const cases: [string, string][] = [
      [proof, 'already been used'],
      [await handProof(key, { htm: 'GET', htu: url }), 'htm'],
      [await handProof(key, { htm: 'POST', htu: `${server.url}/introspect` }), 'htu'],
      [await handProof(key, { htm: 'POST', htu: url, iat: Math.floor(Date.now() / 1000) - 600 }), 'too old'],
      [
        await new SignJWT({ htm: 'POST', htu: url, iat: Math.floor(Date.now() / 1000), jti: crypto.randomUUID() })
          .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: key.jwk })
          .sign(new Uint8Array(32)),
        'alg',
      ],
    ];
    for (const [bad, why] of cases) {
      const res = await send(bad);
      assert.equal(res.status, 400, why);
      assert.equal(res.body.error, 'invalid_dpop_proof', why);
      assert.match(String(res.body.error_description), new RegExp(why), why);
    }
  });

  it("binds a public client's refresh token to the key: another key or no proof is refused", async () => {
    const client: oauth.Client = { client_id: 'todo-spa', token_endpoint_auth_method: 'none' };
    const pair = await oauth.generateKeyPair('ES256');
    const dpop = oauth.DPoP(client, pair);
    const { verifier, challenge } = pkce();
    const params = await authorize(new TestBrowser(), server.url, {
      client_id: 'todo-spa',
      response_type: 'code',
      redirect_uri: SPA_CALLBACK,
      scope: 'openid read:calendars',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const callback = oauth.validateAuthResponse(as, client, new URLSearchParams(params), oauth.expectNoState);
    const codeResponse = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), callback, SPA_CALLBACK, verifier, { DPoP: dpop, ...insecure });
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, codeResponse, { expectedNonce: oauth.expectNoNonce });
    assert.equal(tokens.token_type, 'dpop');
    const jkt = await calculateJwkThumbprint(await exportJWK(pair.publicKey));
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt });

    const noProof = await server.post('/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: 'todo-spa' });
    assert.equal(noProof.status, 400);
    assert.equal(noProof.body.error, 'invalid_grant');
    const other = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const otherKey = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, { DPoP: other, ...insecure });
    await assert.rejects(
      oauth.processRefreshTokenResponse(as, client, otherKey),
      (e: unknown) => e instanceof oauth.ResponseBodyError && e.error === 'invalid_grant',
    );

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, { DPoP: dpop, ...insecure }),
    );
    assert.equal(refreshed.token_type, 'dpop');
    assert.deepEqual(decodeJwt(refreshed.access_token).cnf, { jkt });
    const info = await server.post('/introspect', { token: refreshed.refresh_token! }, basic('introspector', SECRETS.introspector));
    assert.deepEqual(info.body.cnf, { jkt }, 'the rotated refresh token stays bound');

    // userinfo: the DPoP scheme with a proof of the key (and ath); never as Bearer, never another key's proof.
    const userinfo = await oauth.userInfoRequest(as, client, refreshed.access_token, { DPoP: dpop, ...insecure });
    assert.equal(userinfo.status, 200);
    assert.equal(((await userinfo.json()) as { sub: string }).sub.length > 0, true);
    const asBearer = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${refreshed.access_token}` } });
    assert.equal(asBearer.status, 401);
    assert.match(asBearer.headers.get('www-authenticate') ?? '', /^DPoP algs="[^"]*ES256[^"]*", error="invalid_token"/);
    const withOther = await oauth.userInfoRequest(as, client, refreshed.access_token, { DPoP: other, ...insecure });
    assert.equal(withOther.status, 401);
    assert.match(withOther.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    const unproved = await fetch(`${server.url}/userinfo`, { headers: { authorization: `DPoP ${refreshed.access_token}` } });
    assert.equal(unproved.status, 401);
    assert.match(unproved.headers.get('www-authenticate') ?? '', /error="invalid_dpop_proof"/);
  });
});

describe('DPoP with server nonces', () => {
  let server: TestServer;
  let as: oauth.AuthorizationServer;
  before(async () => {
    const { config } = await makeFixture();
    server = await startTestServer({ config, dpop: { nonce: true } });
    as = await discover(server);
  });
  after(() => server.close());

  it('answers use_dpop_nonce with a DPoP-Nonce header; the retry with it succeeds', async () => {
    const client: oauth.Client = { client_id: 'basic-client' };
    const dpop = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const request = () => oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(SECRETS.basic), {}, { DPoP: dpop, ...insecure });
    const first = await request();
    assert.equal(first.status, 400);
    assert.ok(first.headers.get('dpop-nonce'));
    await assert.rejects(oauth.processClientCredentialsResponse(as, client, first), (e: unknown) => oauth.isDPoPNonceError(e));
    const tokens = await oauth.processClientCredentialsResponse(as, client, await request());
    assert.equal(tokens.token_type, 'dpop');
  });

  it('asks for the nonce at the pushed authorization request endpoint too', async () => {
    const client: oauth.Client = { client_id: 'calendar-app' };
    const dpop = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
    const { challenge } = pkce();
    const params = { redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' };
    const push = () => oauth.pushedAuthorizationRequest(as, client, oauth.ClientSecretBasic(SECRETS.calendar), params, { DPoP: dpop, ...insecure });
    const first = await push();
    assert.equal(first.status, 400);
    assert.ok(first.headers.get('dpop-nonce'));
    await assert.rejects(oauth.processPushedAuthorizationResponse(as, client, first), (e: unknown) => oauth.isDPoPNonceError(e));
    const retry = await push();
    assert.equal(retry.status, 201);
    assert.ok(retry.headers.get('dpop-nonce'), 'every answer carries the current nonce');
  });
});
