/**
 * PATs and SATs bound to a DPoP key (issue 19), end to end through the SDK: a token
 * created with `dpopJkt` works only as `DPoP <token>` with proofs from that key, whether
 * the SDK introspects it (cnf.jkt) or verifies locally the JWT it was exchanged for; the
 * management API holds it to the same rule. Also the SDK's own nonces (RFC 9449 §9) and
 * a stale proof. oauth4webapi makes the proofs.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import { MANAGEMENT_SCOPES, managementAudience } from '../../src/management/management-api.js';
import { requireAuth } from '../../packages/resource-server/src/adapters/node-http.js';
import { DpopNonces } from '../../packages/resource-server/src/dpop.js';
import { createAuthenticator, type Authenticator } from '../../packages/resource-server/src/index.js';
import { makeFixture, ORGANIZER, SECRETS } from '../support/fixture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type KeyPair = Awaited<ReturnType<typeof oauth.generateKeyPair>>;

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';

interface Api {
  url: string;
  server: Server;
}

async function startApi(make: (origin: string) => Authenticator): Promise<Api> {
  let auth: Authenticator | undefined;
  const server = createServer(async (req, res) => {
    const principal = await requireAuth(auth!)(req, res);
    if (!principal) return;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: principal.kind, format: principal.format, jkt: principal.jkt }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  auth = make(url);
  return { url, server };
}

async function stopApi(api: Api): Promise<void> {
  api.server.closeAllConnections();
  await new Promise((resolve) => api.server.close(resolve));
}

/** oauth4webapi turns a 401 challenge into an error: the challenge it parsed. */
async function refusal(response: Promise<Response>) {
  const error = await response.then(
    () => assert.fail('expected a challenge'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof oauth.WWWAuthenticateChallengeError, String(error));
  assert.equal(error.status, 401);
  return error.cause[0]!;
}

describe('resource-server: PATs and SATs bound to a DPoP key', () => {
  let tessera: TestServer;
  let as: oauth.AuthorizationServer;
  let api: Api;
  let jwtApi: Api;
  let admin: string;
  let aliceId: string;
  const holder: oauth.Client = { client_id: 'pat-holder' };

  before(async () => {
    tessera = await startTestServer({ config: (await makeFixture()).config });
    const issuer = new URL(tessera.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
    const rootId = (await tessera.engine.store.getUserByUsername('root'))!.id;
    aliceId = (await tessera.engine.store.getUserByUsername('alice'))!.id;
    admin = (
      await tessera.engine.credentials.createPersonalAccessToken(rootId, {
        name: 'admin',
        api: managementAudience(tessera.url),
        scopes: [...MANAGEMENT_SCOPES],
      })
    ).token;
    api = await startApi((origin) =>
      createAuthenticator({
        issuer: tessera.url,
        audience: ORGANIZER,
        dpop: { origin },
        introspection: { clientId: 'introspector', clientSecret: SECRETS.introspector, cacheSeconds: 0 },
      }),
    );
    jwtApi = await startApi((origin) => createAuthenticator({ issuer: tessera.url, audience: ORGANIZER, dpop: { origin } }));
  });
  after(async () => {
    await stopApi(api);
    await stopApi(jwtApi);
    await tessera.close();
  });

  /** A PAT of alice's for Organizer, bound to `pair`, made through the management API. */
  async function boundPat(pair: KeyPair): Promise<{ token: string; summary: { id: string; dpopJkt?: string } }> {
    const dpopJkt = await oauth.DPoP(holder, pair).calculateThumbprint();
    const response = await fetch(`${tessera.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'personal_access_token', userId: aliceId, name: 'bound', api: ORGANIZER, scopes: ['read:calendars'], dpopJkt }),
    });
    assert.equal(response.status, 201, await response.clone().text());
    const created = (await response.json()) as { token: string; summary: { id: string; dpopJkt?: string } };
    assert.equal(created.summary.dpopJkt, dpopJkt);
    return created;
  }

  const call = (target: Api, token: string, pair: KeyPair) =>
    oauth.protectedResourceRequest(token, 'GET', new URL(`${target.url}/calendars`), undefined, undefined, { DPoP: oauth.DPoP(holder, pair), ...insecure });

  it('creates a bound PAT (audited), which introspection describes with cnf.jkt and token_type DPoP', async () => {
    const pair = await oauth.generateKeyPair('ES256');
    const { token, summary } = await boundPat(pair);
    const introspected = await fetch(`${tessera.url}/introspect`, {
      method: 'POST',
      headers: { authorization: `Basic ${btoa(`introspector:${SECRETS.introspector}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    });
    const body = (await introspected.json()) as { token_type: string; cnf?: { jkt: string } };
    assert.equal(body.token_type, 'DPoP');
    assert.deepEqual(body.cnf, { jkt: summary.dpopJkt });
    await tessera.engine.audit.flush();
    const { events } = await tessera.engine.audit.query({ type: 'token.issued', limit: 1000 });
    const issued = events.find((e) => e.tokenId === summary.id);
    assert.equal(issued?.details?.jkt, summary.dpopJkt, 'the audit record names the key');
  });

  it('works at an API through introspection only with a proof from its key', async () => {
    const pair = await oauth.generateKeyPair('ES256');
    const { token, summary } = await boundPat(pair);
    const ok = await call(api, token, pair);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { kind: 'personal_access_token', format: 'reference', jkt: summary.dpopJkt });

    const asBearer = await fetch(`${api.url}/calendars`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(asBearer.status, 401);
    assert.match(asBearer.headers.get('www-authenticate')!, /^DPoP .*error="invalid_token"/);
    const other = await refusal(call(api, token, await oauth.generateKeyPair('ES256')));
    assert.equal(other.scheme, 'dpop');
    assert.equal(other.parameters.error, 'invalid_token');
  });

  it('binds a SAT the same way', async () => {
    const pair = await oauth.generateKeyPair('EdDSA');
    const account = (await tessera.engine.store.getServiceAccountByName('nightly-sync'))!;
    const dpopJkt = await oauth.DPoP(holder, pair).calculateThumbprint();
    const { token } = await tessera.engine.credentials.createServiceAccessToken(account.id, {
      name: 'sync',
      api: ORGANIZER,
      scopes: ['read:calendars'],
      dpopJkt,
    });
    assert.equal((await call(api, token, pair)).status, 200);
    assert.equal((await fetch(`${api.url}/calendars`, { headers: { authorization: `Bearer ${token}` } })).status, 401);
    // An unbound SAT stays a bearer token.
    const plain = (await tessera.engine.credentials.createServiceAccessToken(account.id, { name: 'plain', api: ORGANIZER, scopes: ['read:calendars'] })).token;
    assert.equal((await fetch(`${api.url}/calendars`, { headers: { authorization: `Bearer ${plain}` } })).status, 200);
  });

  it('refuses a malformed dpopJkt', async () => {
    const response = await fetch(`${tessera.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'personal_access_token',
        userId: aliceId,
        name: 'x',
        api: ORGANIZER,
        scopes: ['read:calendars'],
        dpopJkt: 'not-a-thumbprint',
      }),
    });
    assert.equal(response.status, 400);
  });

  it('is exchanged only with a proof of its key, for a JWT bound to it that the SDK verifies locally', async () => {
    const pair = await oauth.generateKeyPair('ES256');
    const { token } = await boundPat(pair);
    const exchanger: oauth.Client = { client_id: 'exchanger' };
    const auth = oauth.ClientSecretBasic('exchanger-secret-0123456789');
    const params = { subject_token: token, subject_token_type: ACCESS };

    const unproven = await oauth.genericTokenEndpointRequest(as, exchanger, auth, EXCHANGE, params, insecure);
    assert.equal(unproven.status, 400);
    assert.equal(((await unproven.json()) as { error: string }).error, 'invalid_grant');
    const otherKey = await oauth.genericTokenEndpointRequest(as, exchanger, auth, EXCHANGE, params, {
      DPoP: oauth.DPoP(exchanger, await oauth.generateKeyPair('ES256')),
      ...insecure,
    });
    assert.equal(otherKey.status, 400);

    const response = await oauth.genericTokenEndpointRequest(as, exchanger, auth, EXCHANGE, params, { DPoP: oauth.DPoP(exchanger, pair), ...insecure });
    const exchanged = await oauth.processGenericTokenEndpointResponse(as, exchanger, response);
    assert.equal(exchanged.token_type, 'dpop');
    const ok = await call(jwtApi, exchanged.access_token, pair);
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { format: string }).format, 'jwt');
    assert.equal((await fetch(`${jwtApi.url}/calendars`, { headers: { authorization: `Bearer ${exchanged.access_token}` } })).status, 401);
  });

  it('holds a bound PAT to its key at the management API', async () => {
    const pair = await oauth.generateKeyPair('ES256');
    const rootId = (await tessera.engine.store.getUserByUsername('root'))!.id;
    const dpopJkt = await oauth.DPoP(holder, pair).calculateThumbprint();
    const { token } = await tessera.engine.credentials.createPersonalAccessToken(rootId, {
      name: 'ops',
      api: managementAudience(tessera.url),
      scopes: ['read:users'],
      dpopJkt,
    });
    const users = new URL(`${tessera.url}/api/v1/users?limit=1`);
    const ok = await oauth.protectedResourceRequest(token, 'GET', users, undefined, undefined, { DPoP: oauth.DPoP(holder, pair), ...insecure });
    assert.equal(ok.status, 200);

    const asBearer = await fetch(users, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(asBearer.status, 401);
    assert.match(asBearer.headers.get('www-authenticate')!, /^DPoP algs="[^"]+", error="invalid_token"/);
    const other = await refusal(
      oauth.protectedResourceRequest(token, 'GET', users, undefined, undefined, {
        DPoP: oauth.DPoP(holder, await oauth.generateKeyPair('ES256')),
        ...insecure,
      }),
    );
    assert.equal(other.parameters.error, 'invalid_token');
    const noProof = await fetch(users, { headers: { authorization: `DPoP ${token}` } });
    assert.equal(noProof.status, 401);
    assert.match(noProof.headers.get('www-authenticate')!, /error="invalid_dpop_proof"/);
    // The proof is for this request: another path is refused.
    const wrongUrl = await refusal(
      oauth.protectedResourceRequest(token, 'GET', users, undefined, undefined, {
        DPoP: oauth.DPoP(holder, pair),
        [oauth.customFetch]: (_input, init) => fetch(`${tessera.url}/api/v1/apis`, init),
        ...insecure,
      }),
    );
    assert.equal(wrongUrl.parameters.error, 'invalid_dpop_proof');
  });
});

describe('resource-server: DPoP nonces and stale proofs', () => {
  let tessera: TestServer;
  let as: oauth.AuthorizationServer;
  let api: Api;
  const client: oauth.Client = { client_id: 'basic-client' };

  before(async () => {
    tessera = await startTestServer({ config: (await makeFixture()).config });
    const issuer = new URL(tessera.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
    api = await startApi((origin) => createAuthenticator({ issuer: tessera.url, audience: ORGANIZER, dpop: { origin, nonce: true } }));
  });
  after(async () => {
    await stopApi(api);
    await tessera.close();
  });

  async function boundToken(pair: KeyPair): Promise<string> {
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretBasic(SECRETS.basic),
      { scope: 'read:calendars' },
      { DPoP: oauth.DPoP(client, pair), ...insecure },
    );
    return (await oauth.processClientCredentialsResponse(as, client, response)).access_token;
  }

  it('asks for a nonce with use_dpop_nonce and DPoP-Nonce; oauth4webapi retries with it', async () => {
    const pair = await oauth.generateKeyPair('ES256');
    const token = await boundToken(pair);
    const dpop = oauth.DPoP(client, pair);
    const url = new URL(`${api.url}/calendars`);
    let nonce: string | null = null;
    const first = await oauth
      .protectedResourceRequest(token, 'GET', url, undefined, undefined, {
        DPoP: dpop,
        [oauth.customFetch]: async (input, init) => {
          const response = await fetch(input, init);
          nonce = response.headers.get('dpop-nonce');
          return response;
        },
        ...insecure,
      })
      .then(
        () => assert.fail('expected use_dpop_nonce'),
        (e: unknown) => e,
      );
    assert.ok(oauth.isDPoPNonceError(first), String(first));
    assert.match(nonce ?? '', /^[A-Za-z0-9_-]{32}$/);
    // The handle remembered the nonce: the retry carries it.
    const retry = await oauth.protectedResourceRequest(token, 'GET', url, undefined, undefined, { DPoP: dpop, ...insecure });
    assert.equal(retry.status, 200);
  });

  it('refuses a made-up nonce, and refuses bad nonce options', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const token = await boundToken(pair as KeyPair);
    const ath = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))).toString('base64url');
    const proof = await new SignJWT({
      htm: 'GET',
      htu: `${api.url}/calendars`,
      iat: Math.floor(Date.now() / 1000),
      jti: crypto.randomUUID(),
      ath,
      nonce: 'x'.repeat(32),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(pair.publicKey) })
      .sign(pair.privateKey);
    const res = await fetch(`${api.url}/calendars`, { headers: { authorization: `DPoP ${token}`, dpop: proof } });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate')!, /error="use_dpop_nonce"/);
    assert.ok(res.headers.get('dpop-nonce'));

    const base = { issuer: 'https://auth.test', audience: 'https://api.test' };
    assert.throws(() => createAuthenticator({ ...base, dpop: { origin: 'https://api.test', nonce: { secret: 'short' } } }), TypeError);
    assert.throws(() => createAuthenticator({ ...base, dpop: { origin: 'https://api.test', nonce: { windowSeconds: 1 } } }), TypeError);
  });

  it('shares nonces between instances given the same secret', () => {
    const secret = 'a shared nonce secret of 32+ characters';
    const now = 1_000_000;
    const [one, two] = [new DpopNonces(secret, 300), new DpopNonces(secret, 300)];
    assert.equal(one.current(now), two.current(now));
    assert.equal(two.accepts(one.current(now - 300), now), true, 'the previous window still counts');
    assert.equal(two.accepts(one.current(now - 600), now), false);
    assert.equal(new DpopNonces(undefined, 300).accepts(one.current(now), now), false, 'another secret, another nonce');
    assert.equal(one.accepts('é'.repeat(32), now), false, 'never throws on what a client sent');
    assert.equal(one.accepts(42, now), false);
  });
});

describe('resource-server: a stale DPoP proof', () => {
  let tessera: TestServer;
  let api: Api;
  const client: oauth.Client = { client_id: 'basic-client' };
  before(async () => {
    tessera = await startTestServer({ config: (await makeFixture()).config });
    api = await startApi((origin) => createAuthenticator({ issuer: tessera.url, audience: ORGANIZER, dpop: { origin } }));
  });
  after(async () => {
    await stopApi(api);
    await tessera.close();
  });

  it('refuses a proof whose iat is older than the window or in the future, or for another method', async () => {
    const issuer = new URL(tessera.url);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
    const pair = await generateKeyPair('ES256', { extractable: true });
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretBasic(SECRETS.basic),
      { scope: 'read:calendars' },
      { DPoP: oauth.DPoP(client, pair as KeyPair), ...insecure },
    );
    const token = (await oauth.processClientCredentialsResponse(as, client, response)).access_token;
    const ath = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))).toString('base64url');
    const jwk = await exportJWK(pair.publicKey);
    const proofAt = (iat: number, htm = 'GET') =>
      new SignJWT({ htm, htu: `${api.url}/calendars`, iat, jti: crypto.randomUUID(), ath })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
        .sign(pair.privateKey);
    const now = Math.floor(Date.now() / 1000);
    const send = async (iat: number, htm?: string) =>
      (await fetch(`${api.url}/calendars`, { headers: { authorization: `DPoP ${token}`, dpop: await proofAt(iat, htm) } })).status;
    assert.equal(await send(now), 200);
    assert.equal(await send(now - 120), 401);
    assert.equal(await send(now + 60), 401);
    assert.equal(await send(now, 'POST'), 401, 'a proof for another method');
  });
});
