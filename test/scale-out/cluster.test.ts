/**
 * Scale-out, black-box: three Tessera processes on one PostgreSQL schema and one
 * Redis, as behind a load balancer. PostgreSQL is reached through a TCP proxy the test
 * can cut (the shared server itself is never stopped). The cache TTL is set to a
 * minute, so anything seen across instances sooner came through the change feed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import { Redis } from 'ioredis';
import pg from 'pg';
import { BROWSER_COOKIE } from '../../src/core/interaction/pending-authorizations.js';
import { dropSchema } from '../../src/stores/postgres/postgres-store.js';
import { readForm, TestBrowser, callbackParams, type Page } from '../support/browser.js';
import { eventually, prepareDeployment, startInstance, stopInstance, waitUntilReady, type Instance } from '../support/cluster.js';
import { CALLBACK, makeFixture, MAPPERS, ORGANIZER, PASSWORDS, SECRETS } from '../support/fixture.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { basic } from '../support/test-server.js';

const DB = process.env.TESSERA_TEST_DATABASE_URL;
const REDIS = process.env.TESSERA_TEST_REDIS_URL;
const skip =
  !DB || !REDIS
    ? 'needs TESSERA_TEST_DATABASE_URL and TESSERA_TEST_REDIS_URL'
    : process.env.TESSERA_TEST_STORE === 'postgres'
      ? 'runs in the default pass (it is on PostgreSQL already)'
      : false;

const ISSUER = 'http://tessera.test';
const OPS_SECRET = 'ops-client-secret-0123456789';
const REF_SECRET = 'ref-client-secret-0123456789';
/** How long a change may take to reach the other instances before the test calls it lost (the TTL is 60 s). */

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

async function post(base: string, path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // an HTML page
  }
  return { status: response.status, headers: response.headers, body, text };
}

const clientCredentials = (base: string, clientId: string, secret: string) =>
  post(base, '/token', { grant_type: 'client_credentials' }, basic(clientId, secret));
const introspect = (base: string, token: string) => post(base, '/introspect', { token }, basic('introspector', SECRETS.introspector));

describe('three instances on one PostgreSQL schema and Redis', { skip }, () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const redisPrefix = `tessera-test:${randomBytes(6).toString('hex')}:`;
  const masterKey = randomBytes(32);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-scale-'));
  let proxy: TcpProxy;
  let a: Instance;
  let b: Instance;
  let c: Instance;
  const on = (instance: Instance, url: string) => url.replace(ISSUER, instance.url);

  before(async () => {
    const target = new URL(DB!);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    // Set up once (migrations, the administrator, the configuration), as `tessera migrate` and `apply` would.
    const fixture = await makeFixture();
    const config = fixture.config as { clients: unknown[] };
    config.clients.push(
      { clientId: 'ops', secrets: [OPS_SECRET], api: `${ISSUER}/api/v1`, scopes: ['read:clients', 'write:clients', 'write:keys'] },
      { clientId: 'ref-client', secrets: [REF_SECRET], api: MAPPERS, scopes: ['geocode'] },
    );
    await prepareDeployment({ databaseUrl: DB!, schema, issuer: ISSUER, masterKey, config });
    const env = {
      TESSERA_DATABASE_URL: proxy.through(DB!),
      TESSERA_DATABASE_SCHEMA: schema,
      TESSERA_MASTER_KEY: masterKey.toString('hex'),
      TESSERA_ISSUER: ISSUER,
      TESSERA_CACHE_TTL: '60',
      TESSERA_DATABASE_CONNECT_TIMEOUT: '1',
      TESSERA_DATABASE_STATEMENT_TIMEOUT: '2',
      TESSERA_REDIS_URL: REDIS!,
      TESSERA_REDIS_PREFIX: redisPrefix,
    };
    [a, b, c] = (await Promise.all(['A', 'B', 'C'].map((name) => startInstance(name, env)))) as [Instance, Instance, Instance];
  });

  after(async () => {
    await Promise.all([a, b, c].filter(Boolean).map((i) => stopInstance(i)));
    proxy?.close();
    await dropSchema(DB!, schema);
    const redis = new Redis(REDIS!);
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a token issued at one instance verifies with the JWKS of the others and introspects there', async () => {
    const issued = await clientCredentials(a.url, 'basic-client', SECRETS.basic);
    assert.equal(issued.status, 200, issued.text);
    const token = issued.body.access_token as string;
    for (const other of [b, c]) {
      const jwks = (await (await fetch(`${other.url}/jwks`)).json()) as JSONWebKeySet;
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: ISSUER, audience: ORGANIZER, typ: 'at+jwt' });
      assert.equal(payload.client_id, 'basic-client');
      assert.equal((await introspect(other.url, token)).body.active, true);
    }
  });

  it('a DPoP proof used at one instance is refused when replayed at another (issue 19)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const proof = await new SignJWT({ htm: 'POST', htu: `${ISSUER}/token`, iat: Math.floor(Date.now() / 1000), jti: randomBytes(16).toString('hex') })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })
      .sign(privateKey);
    const at = (instance: Instance) =>
      post(instance.url, '/token', { grant_type: 'client_credentials' }, { ...basic('basic-client', SECRETS.basic), dpop: proof });
    const first = await at(a);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.token_type, 'DPoP');
    for (const other of [b, c]) {
      const replayed = await at(other);
      assert.equal(replayed.status, 400, replayed.text);
      assert.equal(replayed.body.error, 'invalid_dpop_proof');
    }
  });

  it('a revocation at one instance is honoured at the others: a token at once, a client change through the feed', async () => {
    const issued = await clientCredentials(a.url, 'ref-client', REF_SECRET);
    const token = issued.body.access_token as string;
    assert.equal((await introspect(c.url, token)).body.active, true);
    assert.equal((await post(a.url, '/revoke', { token }, basic('ref-client', REF_SECRET))).status, 200);
    for (const other of [b, c]) assert.equal((await introspect(other.url, token)).body.active, false);

    // B and C have post-client cached; deleting it at A must reach them long before the TTL.
    for (const other of [b, c])
      assert.equal((await post(other.url, '/token', { grant_type: 'client_credentials', client_id: 'post-client', client_secret: SECRETS.post })).status, 200);
    const ops = await clientCredentials(a.url, 'ops', OPS_SECRET);
    const deleted = await fetch(`${a.url}/api/v1/clients/post-client`, { method: 'DELETE', headers: { authorization: `Bearer ${ops.body.access_token}` } });
    assert.equal(deleted.status, 204);
    const delays = await Promise.all(
      [b, c].map((other) =>
        eventually(
          async () =>
            (await post(other.url, '/token', { grant_type: 'client_credentials', client_id: 'post-client', client_secret: SECRETS.post })).status === 401,
          `post-client refused at ${other.name}`,
        ),
      ),
    );
    console.log(`# client deletion seen at the other instances after ${delays.join(' and ')} ms (bound: the feed; TTL 60 s)`);
  });

  it('one authorization code flow spread over the three: sign-in at A, consent at B, token at C', async () => {
    const browser = new TestBrowser();
    const params = new URLSearchParams({
      client_id: 'calendar-app',
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid read:calendars',
      state: 's1',
      nonce: 'n1',
    });
    let page: Page = await browser.get(`${a.url}/authorize?${params}`);
    while (page.location?.startsWith(ISSUER)) page = await browser.get(on(a, page.location));
    assert.match(page.html, /name="password"/);
    const signIn = readForm(page.html);
    page = await browser.post(on(a, signIn.action), { ...signIn.fields, username: 'alice', password: PASSWORDS.alice });
    while (page.location?.startsWith(ISSUER)) page = await browser.get(on(b, page.location));
    assert.match(page.html, /Allow access\?/);
    const consent = readForm(page.html);
    page = await browser.post(on(b, consent.action), { ...consent.fields, decision: 'allow' });
    while (page.location?.startsWith(ISSUER)) page = await browser.get(on(b, page.location));
    const callback = callbackParams(page.location!);
    assert.equal(callback.state, 's1');
    const tokens = await post(
      c.url,
      '/token',
      { grant_type: 'authorization_code', code: callback.code!, redirect_uri: CALLBACK },
      basic('calendar-app', SECRETS.calendar),
    );
    assert.equal(tokens.status, 200, tokens.text);
    assert.ok(tokens.body.id_token && tokens.body.refresh_token);
    const refreshed = await post(
      a.url,
      '/token',
      { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token as string },
      basic('calendar-app', SECRETS.calendar),
    );
    assert.equal(refreshed.status, 200, refreshed.text);
  });

  it('one code redeemed concurrently at the three instances succeeds exactly once', async () => {
    const browser = new TestBrowser();
    const params = new URLSearchParams({
      client_id: 'first-party',
      response_type: 'code',
      redirect_uri: 'https://organizer.test/callback',
      scope: 'read:calendars',
    });
    let page = await browser.get(`${b.url}/authorize?${params}`);
    while (page.location?.startsWith(ISSUER)) page = await browser.get(on(b, page.location));
    const form = readForm(page.html);
    page = await browser.post(on(b, form.action), { ...form.fields, username: 'alice', password: PASSWORDS.alice });
    while (page.location?.startsWith(ISSUER)) page = await browser.get(on(b, page.location));
    const { code } = callbackParams(page.location!);
    const redeem = (instance: Instance) =>
      post(
        instance.url,
        '/token',
        { grant_type: 'authorization_code', code: code!, redirect_uri: 'https://organizer.test/callback' },
        basic('first-party', 'first-party-secret-0123456789'),
      );
    const results = await Promise.all(Array.from({ length: 15 }, (_, i) => redeem([a, b, c][i % 3]!)));
    const statuses = results.map((r) => (r.status === 200 ? 'ok' : String(r.body.error)));
    assert.equal(statuses.filter((s) => s === 'ok').length, 1, statuses.join(','));
    assert.ok(
      statuses.every((s) => s === 'ok' || s === 'invalid_grant'),
      statuses.join(','),
    );
  });

  it('keys rotated at one instance under load: every token verifies with the JWKS fetched before', async () => {
    const before = (await (await fetch(`${c.url}/jwks`)).json()) as JSONWebKeySet;
    const verify = createLocalJWKSet(before);
    const ops = await clientCredentials(a.url, 'ops', OPS_SECRET);
    const tokens: string[] = [];
    let rotated = false;
    const worker = async (w: number) => {
      for (let i = 0; i < 15; i += 1) {
        const instance = [a, b, c][(w + i) % 3]!;
        const issued = await clientCredentials(instance.url, 'basic-client', SECRETS.basic);
        assert.equal(issued.status, 200, issued.text);
        tokens.push(issued.body.access_token as string);
        if (w === 0 && i === 5) {
          const response = await fetch(`${a.url}/api/v1/keys/rotate`, {
            method: 'POST',
            headers: { authorization: `Bearer ${ops.body.access_token}`, 'content-type': 'application/json' },
            body: '{}',
          });
          assert.equal(response.status, 200);
          rotated = true;
        }
      }
    };
    await Promise.all([0, 1, 2, 3].map(worker));
    assert.ok(rotated);
    const failures: string[] = [];
    for (const token of tokens) {
      await jwtVerify(token, verify, { issuer: ISSUER, audience: ORGANIZER }).catch((e: Error) => failures.push(e.message));
    }
    assert.deepEqual(failures, []);
    const kids = new Set(tokens.map((t) => decodeProtectedHeader(t).kid));
    assert.ok(kids.size >= 2, 'tokens after the rotation are signed by the promoted key');
  });

  it('failed sign-ins spread over the instances are throttled as one count (Redis)', async () => {
    const browser = new TestBrowser();
    const params = new URLSearchParams({ client_id: 'calendar-app', response_type: 'code', redirect_uri: CALLBACK, scope: 'openid' });
    let page = await browser.get(`${c.url}/authorize?${params}`);
    while (page.location?.startsWith(ISSUER)) page = await browser.get(on(c, page.location));
    const form = readForm(page.html);
    const username = `mallory-${randomBytes(3).toString('hex')}`;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const instance = [a, b, c][i % 3]!;
      statuses.push((await browser.post(on(instance, form.action), { ...form.fields, username, password: 'guess' })).status);
    }
    // Five free failures, the sixth starts the wait, the seventh (at A) is refused.
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 401, 429]);
  });

  it('an instance SIGKILLed under load: only its requests fail, nothing acknowledged is lost or unaudited', async () => {
    const acknowledged: string[] = [];
    const failedAt: string[] = [];
    let stop = false;
    let cDown = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i += 1) {
        let instance = [a, b, c][(w + i) % 3]!;
        if (instance === c && cDown) instance = a; // the load balancer's health check took C out
        try {
          const issued = await clientCredentials(instance.url, 'ref-client', REF_SECRET);
          if (issued.status === 200) acknowledged.push(issued.body.access_token as string);
          else failedAt.push(`${instance.name}:${issued.status}`);
        } catch {
          failedAt.push(instance.name);
          if (instance === c) cDown = true;
        }
      }
    };
    const load = Promise.all([0, 1, 2, 3, 4, 5].map(worker));
    while (acknowledged.length < 30) await new Promise((r) => setTimeout(r, 10));
    c.process.kill('SIGKILL');
    const killedAt = acknowledged.length;
    while (acknowledged.length < killedAt + 30) await new Promise((r) => setTimeout(r, 10));
    stop = true;
    await load;
    assert.ok(
      failedAt.every((f) => f === 'C'),
      `failures elsewhere than C: ${failedAt.join(',')}`,
    );
    const inactive: string[] = [];
    const ids: string[] = [];
    for (const [i, token] of acknowledged.entries()) {
      const seen = (await introspect([a, b][i % 2]!.url, token)).body;
      if (seen.active !== true) inactive.push(token.slice(0, 12));
      else ids.push(seen.jti as string);
    }
    assert.deepEqual(inactive, [], 'every acknowledged token is stored');
    // ...and audited: C's queue died with it, but no token was acknowledged before its record was committed.
    const db = new pg.Client({ connectionString: DB });
    await db.connect();
    try {
      const { rows } = await db.query<{ doc: string }>(`SELECT doc FROM "${schema}".audit_events WHERE type = 'token.issued'`);
      const audited = new Set(rows.map((row) => (JSON.parse(row.doc) as { tokenId?: string }).tokenId));
      assert.deepEqual(
        ids.filter((id) => !audited.has(id)),
        [],
        'every acknowledged token has its audit record',
      );
    } finally {
      await db.end();
    }
    console.log(`# ${acknowledged.length} tokens acknowledged, ${failedAt.length} requests failed at C`);
  });

  it('PostgreSQL unreachable: a clear 503 (JSON and page), /readyz not ready; then recovery by itself', async () => {
    proxy.cut();
    try {
      const token = await clientCredentials(a.url, 'ref-client', REF_SECRET);
      assert.equal(token.status, 503, token.text);
      assert.equal(token.body.error, 'temporarily_unavailable');
      assert.ok(token.headers.get('retry-after'));
      const ready = await fetch(`${b.url}/readyz`, { signal: AbortSignal.timeout(20_000) });
      assert.equal(ready.status, 503);
      const params = new URLSearchParams({ client_id: 'calendar-app', response_type: 'code', redirect_uri: CALLBACK, scope: 'openid' });
      // The authorization endpoint tells the client (RFC 6749 4.1.2.1), through its trusted redirect URI...
      const authorize = await fetch(`${b.url}/authorize?${params}`, { redirect: 'manual', signal: AbortSignal.timeout(20_000) });
      assert.equal(authorize.status, 303);
      assert.equal(callbackParams(authorize.headers.get('location')!).error, 'temporarily_unavailable');
      // ...and a browser page that needs the database answers a 503 page.
      const page = await fetch(`${b.url}/interaction/${'p'.repeat(32)}`, {
        redirect: 'manual',
        headers: { cookie: `${BROWSER_COOKIE}=b` },
        signal: AbortSignal.timeout(20_000),
      });
      assert.equal(page.status, 503);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await page.text(), /Temporarily unavailable/);
    } finally {
      proxy.restore();
    }
    await Promise.all([waitUntilReady(a), waitUntilReady(b)]);
    for (const instance of [a, b]) assert.equal((await clientCredentials(instance.url, 'ref-client', REF_SECRET)).status, 200);
  });
});
