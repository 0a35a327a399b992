/**
 * DPoP (RFC 9449) in the resource-server SDK, end to end: oauth4webapi gets a
 * DPoP-bound token from a real Tessera and calls an API behind the node:http adapter
 * with its DPoP handle. Also: the bound token as Bearer, a replayed proof, a proof from
 * another key, a wrong htu, a bound reference token through introspection, and the
 * RFC 9449 §7.1 challenges.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import { requireAuth } from '../../packages/resource-server/src/adapters/node-http.js';
import { createAuthenticator, MemoryReplayCache, type Authenticator } from '../../packages/resource-server/src/index.js';
import { makeFixture, MAPPERS, ORGANIZER, SECRETS } from '../support/fixture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type KeyPair = Awaited<ReturnType<typeof oauth.generateKeyPair>>;

const insecure = { [oauth.allowInsecureRequests]: true } as const;

interface Api {
  url: string;
  server: Server;
}

/** An API behind the node:http adapter; the authenticator is made once the port is known. */
async function startApi(make: (origin: string) => Authenticator): Promise<Api> {
  let auth: Authenticator | undefined;
  const server = createServer(async (req, res) => {
    const principal = await requireAuth(auth!)(req, res);
    if (!principal) return;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ subject: principal.subject, jkt: principal.jkt }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  auth = make(url);
  return { url, server };
}

describe('resource-server: DPoP-bound tokens', () => {
  let tessera: TestServer;
  let as: oauth.AuthorizationServer;
  let organizer: Api;
  let mappers: Api;
  const client: oauth.Client = { client_id: 'basic-client' };

  before(async () => {
    const { config } = await makeFixture();
    tessera = await startTestServer({ config });
    const issuer = new URL(tessera.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
    organizer = await startApi((origin) => createAuthenticator({ issuer: tessera.url, audience: ORGANIZER, dpop: { origin } }));
    mappers = await startApi((origin) =>
      createAuthenticator({
        issuer: tessera.url,
        audience: MAPPERS,
        dpop: { origin },
        introspection: { clientId: 'introspector', clientSecret: SECRETS.introspector },
      }),
    );
  });
  after(async () => {
    for (const api of [organizer, mappers]) {
      api.server.closeAllConnections();
      await new Promise((resolve) => api.server.close(resolve));
    }
    await tessera.close();
  });

  async function boundToken(pair: KeyPair, c = client, secret = SECRETS.basic, scope = 'read:calendars') {
    const dpop = oauth.DPoP(c, pair);
    const response = await oauth.clientCredentialsGrantRequest(as, c, oauth.ClientSecretBasic(secret), { scope }, { DPoP: dpop, ...insecure });
    const tokens = await oauth.processClientCredentialsResponse(as, c, response);
    assert.equal(tokens.token_type, 'dpop');
    return tokens.access_token;
  }

  const call = (api: Api, token: string, pair: KeyPair, c = client) =>
    oauth.protectedResourceRequest(token, 'GET', new URL(`${api.url}/calendars?x=1`), undefined, undefined, { DPoP: oauth.DPoP(c, pair), ...insecure });

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

  it('accepts a bound JWT with its proof (oauth4webapi), and refuses it as Bearer', async () => {
    const pair = await oauth.generateKeyPair('ES256');
    const token = await boundToken(pair);
    const ok = await call(organizer, token, pair);
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as { subject: string; jkt: string };
    assert.equal(body.subject, 'basic-client');
    assert.equal(typeof body.jkt, 'string');

    const asBearer = await fetch(`${organizer.url}/calendars`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(asBearer.status, 401);
    const challenge = asBearer.headers.get('www-authenticate')!;
    assert.match(challenge, /^DPoP /, 'RFC 9449 §7.1: the API tells the client to use DPoP');
    assert.match(challenge, /error="invalid_token"/);
  });

  it('refuses a replayed proof with a DPoP challenge naming the algorithms', async () => {
    const pair = await oauth.generateKeyPair('ES256');
    const token = await boundToken(pair);
    let proof = '';
    const capture: typeof fetch = async (input, init) => {
      proof = new Headers(init?.headers).get('dpop')!;
      return fetch(input, init);
    };
    const first = await oauth.protectedResourceRequest(token, 'GET', new URL(`${organizer.url}/calendars`), undefined, undefined, {
      DPoP: oauth.DPoP(client, pair),
      [oauth.customFetch]: capture,
      ...insecure,
    });
    assert.equal(first.status, 200);
    const replay = await fetch(`${organizer.url}/calendars`, { headers: { authorization: `DPoP ${token}`, dpop: proof } });
    assert.equal(replay.status, 401);
    const challenge = replay.headers.get('www-authenticate')!;
    assert.match(challenge, /^DPoP /);
    assert.match(challenge, /error="invalid_dpop_proof"/);
    assert.match(challenge, /algs="ES256 ES384 EdDSA Ed25519 RS256 PS256"/);
  });

  it('refuses a proof from another key, and one for another URL', async () => {
    const pair = await oauth.generateKeyPair('ES256');
    const token = await boundToken(pair);
    const other = await refusal(call(organizer, token, await oauth.generateKeyPair('ES256')));
    assert.equal(other.scheme, 'dpop');
    assert.equal(other.parameters.error, 'invalid_token');

    const wrongUrl = await refusal(
      oauth.protectedResourceRequest(token, 'GET', new URL(`${organizer.url}/calendars`), undefined, undefined, {
        DPoP: oauth.DPoP(client, pair),
        [oauth.customFetch]: (_input, init) => fetch(`${organizer.url}/other`, init),
        ...insecure,
      }),
    );
    assert.equal(wrongUrl.parameters.error, 'invalid_dpop_proof');
  });

  it('refuses a proof without ath, or with a private key in its header', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(pair.publicKey);
    const token = await boundToken(pair as KeyPair);
    const base = { htm: 'GET', htu: `${organizer.url}/calendars`, iat: Math.floor(Date.now() / 1000), jti: crypto.randomUUID() };
    const noAth = await new SignJWT(base).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).sign(pair.privateKey);
    const res = await fetch(`${organizer.url}/calendars`, { headers: { authorization: `DPoP ${token}`, dpop: noAth } });
    assert.equal(res.status, 401);
    const priv = await exportJWK(pair.privateKey);
    const leaky = await new SignJWT({ ...base, jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: priv })
      .sign(pair.privateKey);
    assert.equal((await fetch(`${organizer.url}/calendars`, { headers: { authorization: `DPoP ${token}`, dpop: leaky } })).status, 401);
    const missing = await fetch(`${organizer.url}/calendars`, { headers: { authorization: `DPoP ${token}` } });
    assert.equal(missing.status, 401);
  });

  it('checks a bound reference token through introspection (cnf.jkt)', async () => {
    const post: oauth.Client = { client_id: 'post-client' };
    const pair = await oauth.generateKeyPair('ES256');
    const dpop = oauth.DPoP(post, pair);
    const response = await oauth.clientCredentialsGrantRequest(as, post, oauth.ClientSecretPost(SECRETS.post), {}, { DPoP: dpop, ...insecure });
    const token = (await oauth.processClientCredentialsResponse(as, post, response)).access_token;
    assert.ok(token.startsWith('tsr_'));
    assert.equal((await call(mappers, token, pair, post)).status, 200);
    assert.equal((await fetch(`${mappers.url}/calendars`, { headers: { authorization: `Bearer ${token}` } })).status, 401);
    assert.equal((await refusal(call(mappers, token, await oauth.generateKeyPair('ES256'), post))).parameters.error, 'invalid_token');
  });
});

describe('resource-server: DPoP replay cache and options', () => {
  it('remembers a jti until it expires, and stays bounded', () => {
    let now = 1000;
    const cache = new MemoryReplayCache(2, { now: () => now });
    assert.equal(cache.firstUse('a', 1065), true);
    assert.equal(cache.firstUse('a', 1065), false);
    now = 1066;
    assert.equal(cache.firstUse('a', 1131), true);
    cache.firstUse('b', 1131);
    cache.firstUse('c', 1131); // drops a, the oldest
    assert.equal(cache.firstUse('a', 1131), true);
  });

  it('refuses bad dpop options at creation', () => {
    const base = { issuer: 'https://auth.test', audience: 'https://api.test' };
    assert.throws(() => createAuthenticator({ ...base, dpop: { origin: 'api.test' } }), TypeError);
    assert.throws(() => createAuthenticator({ ...base, dpop: { origin: 'https://api.test', algorithms: ['HS256' as 'ES256'] } }), TypeError);
    assert.throws(() => createAuthenticator({ ...base, dpop: { origin: 'https://api.test', replayCache: {} as never } }), TypeError);
  });
});
