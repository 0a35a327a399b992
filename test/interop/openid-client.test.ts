/**
 * Interop: the certified client library `openid-client` (v6) drives a running Tessera
 * server over HTTP, and `jose` verifies the tokens against the JWKS the server publishes.
 *
 * It shows that an off-the-shelf client can, with no Tessera-specific code:
 * discover the server; get client_credentials tokens with client_secret_basic,
 * client_secret_post and private_key_jwt; pick the API with RFC 8707 `resource`;
 * introspect (RFC 7662) and revoke (RFC 7009) tokens; and that a JWT access token
 * is a valid RFC 9068 token for an independent verifier. It also shows that a
 * replayed client assertion and a wrong secret are refused with `invalid_client`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import * as client from 'openid-client';
import { MAPPERS, ORGANIZER, SECRETS, makeFixture } from '../support/fixture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('interop: openid-client and jose against a running Tessera', () => {
  let server: TestServer;
  let clientPrivateKey: CryptoKey;
  let clientKid: string;

  /** Tokens obtained by earlier tests, introspected and revoked by later ones. */
  let basicJwt: string | undefined;
  let postReference: string | undefined;

  before(async () => {
    const fixture = await makeFixture();
    clientPrivateKey = fixture.clientPrivateKey;
    clientKid = fixture.clientKid;
    server = await startTestServer({ config: fixture.config });
  });

  after(async () => {
    await server?.close();
  });

  /** An openid-client Configuration for one client, found through discovery (plain http on loopback). */
  function connect(clientId: string, auth: client.ClientAuth): Promise<client.Configuration> {
    return client.discovery(new URL(server.url), clientId, undefined, auth, {
      execute: [client.allowInsecureRequests],
    });
  }

  const basicClient = () => connect('basic-client', client.ClientSecretBasic(SECRETS.basic));
  const postClient = () => connect('post-client', client.ClientSecretPost(SECRETS.post));
  const jwtClient = () => connect('jwt-client', client.PrivateKeyJwt({ key: clientPrivateKey, kid: clientKid }));

  /** Verifies a JWT access token the way an API would: against the served JWKS. */
  async function verifyAccessToken(token: string, audience: string) {
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    return jwtVerify(token, jwks, { issuer: server.url, audience, typ: 'at+jwt', algorithms: ['ES256'] });
  }

  it('is discovered by openid-client', async () => {
    const config = await basicClient();
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, server.url);
    assert.equal(metadata.token_endpoint, `${server.url}/token`);
    assert.equal(metadata.introspection_endpoint, `${server.url}/introspect`);
    assert.equal(metadata.revocation_endpoint, `${server.url}/revoke`);
    assert.equal(metadata.jwks_uri, `${server.url}/jwks`);
  });

  it('issues a JWT access token for client_secret_basic, verifiable with the served JWKS', async () => {
    const tokens = await client.clientCredentialsGrant(await basicClient());
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, 'read:calendars write:calendars');
    assert.equal(tokens.expires_in, 600);

    const { payload, protectedHeader } = await verifyAccessToken(tokens.access_token, ORGANIZER);
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(typeof protectedHeader.kid, 'string');
    assert.equal(payload.iss, server.url);
    assert.equal(payload.sub, 'basic-client');
    assert.equal(payload.aud, ORGANIZER);
    assert.equal(payload.client_id, 'basic-client');
    assert.equal(payload.scope, 'read:calendars write:calendars');
    assert.equal(typeof payload.jti, 'string');
    assert.equal(typeof payload.iat, 'number');
    assert.equal(typeof payload.exp, 'number');
    assert.equal(payload.exp! - payload.iat!, 600);
    basicJwt = tokens.access_token;
  });

  it('issues a reference token for client_secret_post, with a narrower scope', async () => {
    const tokens = await client.clientCredentialsGrant(await postClient(), { scope: 'geocode' });
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, 'geocode');
    assert.equal(tokens.expires_in, 300);
    assert.ok(tokens.access_token.startsWith('tsr_at_'), tokens.access_token);
    postReference = tokens.access_token;
  });

  it('issues a JWT access token for private_key_jwt', async () => {
    const tokens = await client.clientCredentialsGrant(await jwtClient());
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, 'read:contacts');

    const { payload, protectedHeader } = await verifyAccessToken(tokens.access_token, ORGANIZER);
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.equal(payload.sub, 'jwt-client');
    assert.equal(payload.client_id, 'jwt-client');
    assert.equal(payload.aud, ORGANIZER);
    assert.equal(payload.scope, 'read:contacts');
  });

  it('selects the API with an RFC 8707 resource parameter', async () => {
    const tokens = await client.clientCredentialsGrant(await basicClient(), { resource: MAPPERS });
    assert.equal(tokens.scope, 'geocode');
    assert.ok(tokens.access_token.startsWith('tsr_at_'), tokens.access_token);

    const introspected = await client.tokenIntrospection(await basicClient(), tokens.access_token);
    assert.equal(introspected.active, true);
    assert.equal(introspected.aud, MAPPERS);
  });

  it('introspects tokens through openid-client', async () => {
    assert.ok(postReference && basicJwt, 'tokens are issued by the earlier tests');

    const own = await client.tokenIntrospection(await postClient(), postReference);
    assert.equal(own.active, true);
    assert.equal(own.sub, 'post-client');
    assert.equal(own.client_id, 'post-client');
    assert.equal(own.scope, 'geocode');
    assert.equal(own.aud, MAPPERS);
    assert.equal(own.iss, server.url);
    assert.equal(typeof own.exp, 'number');

    const introspector = await connect('introspector', client.ClientSecretBasic(SECRETS.introspector));
    const byResourceServer = await client.tokenIntrospection(introspector, postReference);
    assert.equal(byResourceServer.active, true);
    assert.equal(byResourceServer.client_id, 'post-client');

    const jwt = await client.tokenIntrospection(await basicClient(), basicJwt);
    assert.equal(jwt.active, true);
    assert.equal(jwt.sub, 'basic-client');
    assert.equal(jwt.client_id, 'basic-client');
    assert.equal(jwt.aud, ORGANIZER);
    assert.equal(jwt.scope, 'read:calendars write:calendars');
  });

  it('revokes reference and JWT access tokens through openid-client', async () => {
    assert.ok(postReference && basicJwt, 'tokens are issued by the earlier tests');

    const post = await postClient();
    await client.tokenRevocation(post, postReference);
    assert.deepEqual(await client.tokenIntrospection(post, postReference), { active: false });

    const basic = await basicClient();
    await client.tokenRevocation(basic, basicJwt);
    assert.deepEqual(await client.tokenIntrospection(basic, basicJwt), { active: false });
  });

  it('refuses a replayed private_key_jwt client assertion', async () => {
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: clientKid })
      .setIssuer('jwt-client')
      .setSubject('jwt-client')
      .setAudience(server.url)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(clientPrivateKey);
    const form = {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    };

    const first = await server.post('/token', form);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(typeof first.body.access_token, 'string');

    const replay = await server.post('/token', form);
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error, 'invalid_client');
  });

  it('surfaces a wrong secret as an invalid_client error', async () => {
    const wrongPost = await connect('post-client', client.ClientSecretPost('not-the-secret-0123456789'));
    await assert.rejects(client.clientCredentialsGrant(wrongPost), (error: unknown) => {
      assert.ok(error instanceof client.ResponseBodyError, String(error));
      assert.equal(error.error, 'invalid_client');
      assert.equal(error.status, 401);
      return true;
    });

    // Over HTTP Basic, RFC 6749 §5.2 requires a WWW-Authenticate challenge with the 401,
    // which openid-client reports as a WWWAuthenticateChallengeError before reading the body.
    const wrongBasic = await connect('basic-client', client.ClientSecretBasic('not-the-secret-0123456789'));
    const error = await client.clientCredentialsGrant(wrongBasic).then(
      () => assert.fail('a wrong secret must be refused'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof client.WWWAuthenticateChallengeError, String(error));
    assert.equal(error.status, 401);
    assert.equal(error.cause[0]?.scheme, 'basic');
    assert.equal(((await error.response.json()) as { error?: unknown }).error, 'invalid_client');
  });
});
