/**
 * OpenID Connect Back-Channel Logout 1.0: a client with a backchannelLogoutUri gets a
 * logout token POSTed to it (through the server's SSRF-safe poster, here allowed onto
 * loopback) when a session it signed into ends, by RP-initiated logout or by an
 * administrator through the management API. The token is checked with jose against
 * the server's /jwks as a relying party would (§2.6). Delivery happens off the request
 * path, is retried, and is audited.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { AuditEvent } from '../../src/core/audit/audit-event.js';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/core/logout/backchannel-logout.js';
import { registrationPolicy } from '../../src/core/registration/registration-policy.js';
import { MANAGEMENT_SCOPES, managementAudience } from '../../src/management/management-api.js';
import { createSafePoster } from '../../src/server/safe-fetch.js';
import { inProcess, json } from '../cli/run-cli.js';
import { TestBrowser } from '../support/browser.js';
import { CALLBACK, makeFixture, SECRETS } from '../support/fixture.js';
import { authorize } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

interface Delivery {
  contentType: string | undefined;
  form: URLSearchParams;
}

describe('back-channel logout', () => {
  let server: TestServer;
  let receiver: Server;
  let admin: string;
  const deliveries: Delivery[] = [];
  const waiting: ((d: Delivery) => void)[] = [];
  /** Statuses the receiver answers with, in turn (200 once they run out). */
  const answers: number[] = [];
  /** While set, the receiver holds its answer until the promise resolves. */
  let hold: Promise<void> | undefined;
  const audit: AuditEvent[] = [];

  const nextDelivery = () =>
    new Promise<Delivery>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no logout token arrived')), 5000);
      waiting.push((d) => {
        clearTimeout(timer);
        resolve(d);
      });
    });

  before(async () => {
    receiver = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const delivery = { contentType: req.headers['content-type'], form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')) };
        deliveries.push(delivery);
        const status = answers.shift() ?? 200;
        if (status === 200) waiting.shift()?.(delivery);
        if (hold) await hold;
        res.writeHead(status, { 'cache-control': 'no-store' }).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    const { config } = await makeFixture();
    const clients = (config as { clients: Record<string, unknown>[] }).clients;
    const calendar = clients.find((c) => c.clientId === 'calendar-app')!;
    calendar.backchannelLogoutUri = `http://127.0.0.1:${port}/backchannel-logout`;
    calendar.backchannelLogoutSessionRequired = true;
    server = await startTestServer({
      config,
      backchannelLogout: { transport: createSafePoster({ allowPrivateAddresses: true, timeoutMs: 2000 }), retryDelaysMs: [20, 20] },
    });
    server.engine.audit.subscribe((event) => void audit.push(event));
    const rootId = (await server.engine.store.getUserByUsername('root'))!.id;
    admin = (
      await server.engine.credentials.createPersonalAccessToken(rootId, { name: 'bcl', api: managementAudience(server.url), scopes: [...MANAGEMENT_SCOPES] })
    ).token;
  });
  after(async () => {
    await server.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  async function signedIn(): Promise<{ browser: TestBrowser; idToken: string; sid: string; sub: string }> {
    const browser = new TestBrowser();
    const { code } = await authorize(browser, server.url, {
      client_id: 'calendar-app',
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid',
      nonce: 'n-1',
    });
    const tokens = await server.post(
      '/token',
      { grant_type: 'authorization_code', code: code!, redirect_uri: CALLBACK },
      basic('calendar-app', SECRETS.calendar),
    );
    const idToken = tokens.body.id_token as string;
    const claims = decodeJwt(idToken);
    return { browser, idToken, sid: claims.sid as string, sub: claims.sub! };
  }

  /** Verifies a logout token as an RP must (Back-Channel Logout §2.6), and returns its claims. */
  async function verifyLogoutToken(delivery: Delivery) {
    assert.equal(delivery.contentType, 'application/x-www-form-urlencoded');
    const token = delivery.form.get('logout_token');
    assert.ok(token, 'a logout_token parameter');
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(`${server.url}/jwks`)), {
      issuer: server.url,
      audience: 'calendar-app',
      typ: 'logout+jwt',
      requiredClaims: ['iat', 'exp', 'jti', 'events'],
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.deepEqual(payload.events, { [BACKCHANNEL_LOGOUT_EVENT]: {} });
    assert.equal(payload.nonce, undefined, 'a logout token never carries a nonce');
    assert.equal(payload.exp! - payload.iat!, 120);
    return payload;
  }

  it('is advertised in discovery', async () => {
    const metadata = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(metadata.backchannel_logout_supported, true);
    assert.equal(metadata.backchannel_logout_session_supported, true);
  });

  it('POSTs a logout token when the user signs out (RP-initiated logout), without holding up the sign-out', async () => {
    const { browser, idToken, sid, sub } = await signedIn();
    let release!: () => void;
    hold = new Promise<void>((resolve) => (release = resolve));
    const arrived = nextDelivery();
    const res = await browser.get(
      `${server.url}/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: 'https://calendar.test/bye' })}`,
    );
    // The sign-out answered while the client still holds its answer to the logout token.
    assert.equal(res.status, 303);
    const claims = await verifyLogoutToken(await arrived);
    release();
    hold = undefined;
    assert.equal(claims.sid, sid);
    assert.equal(claims.sub, sub);
    await server.engine.backchannelLogout!.idle();
    const delivered = audit.find((e) => e.type === 'logout.backchannel_delivered' && e.details?.sid === sid);
    assert.ok(delivered, 'the delivery is audited');
    assert.equal(delivered.clientId, 'calendar-app');
    assert.equal(delivered.tokenId, claims.jti);
  });

  it('POSTs a logout token when an administrator ends the session through the management API, retrying a failing client', async () => {
    const { sid, sub } = await signedIn();
    const userId = (await server.engine.store.getUserByUsername('alice'))!.id;
    answers.push(503);
    const arrived = nextDelivery();
    const res = await fetch(`${server.url}/api/v1/users/${userId}/sessions/${sid}`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } });
    assert.equal(res.status, 204);
    const claims = await verifyLogoutToken(await arrived);
    assert.equal(claims.sid, sid);
    assert.equal(claims.sub, sub);
    await server.engine.backchannelLogout!.idle();
    const delivered = audit.find((e) => e.type === 'logout.backchannel_delivered' && e.details?.sid === sid);
    assert.equal(delivered?.details?.attempts, 2, 'the 503 was retried');
  });

  it('is set and removed with tessera clients update --backchannel-logout-uri, and shown by the management API', async () => {
    const cli = (...argv: string[]) => inProcess(...argv, '--server', server.url, '--token', admin);
    const set = await cli('clients', 'update', 'todo-spa', '--backchannel-logout-uri', 'https://todos.test/bcl', '--json');
    assert.equal(set.code, 0, set.err);
    assert.equal(json<{ backchannelLogoutUri?: string }>(set).backchannelLogoutUri, 'https://todos.test/bcl');
    const shown = await fetch(`${server.url}/api/v1/clients/todo-spa`, { headers: { authorization: `Bearer ${admin}` } });
    const body = (await shown.json()) as Record<string, unknown>;
    assert.equal(body.backchannelLogoutUri, 'https://todos.test/bcl');
    assert.equal(body.backchannelLogoutSessionRequired, false);
    const removed = await cli('clients', 'update', 'todo-spa', '--backchannel-logout-uri', '', '--json');
    assert.equal(removed.code, 0, removed.err);
    assert.equal(json<{ backchannelLogoutUri?: string }>(removed).backchannelLogoutUri, undefined);
  });

  it('audits a client that never accepts the token, and tells each session only once', async () => {
    const { browser, idToken, sid } = await signedIn();
    answers.push(503, 503, 503);
    const before = deliveries.length;
    await browser.get(`${server.url}/logout?${new URLSearchParams({ id_token_hint: idToken })}`);
    await server.engine.backchannelLogout!.idle();
    assert.equal(deliveries.length - before, 3, 'the first attempt and two retries');
    const failed = audit.find((e) => e.type === 'logout.backchannel_failed' && e.details?.sid === sid);
    assert.ok(failed);
    assert.equal(failed.outcome, 'failure');
    assert.equal(failed.reason, 'HTTP 503');
    // Ending the already-ended session again sends nothing.
    await browser.get(`${server.url}/logout?${new URLSearchParams({ id_token_hint: idToken })}`);
    await server.engine.backchannelLogout!.idle();
    assert.equal(deliveries.length - before, 3);
  });
});

describe('back-channel logout in dynamic client registration (RFC 7591)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config, registration: registrationPolicy({ enabled: true, maxPerAddress: 1000 }) });
  });
  after(() => server.close());
  const register = async (metadata: Record<string, unknown>) => {
    const res = await fetch(`${server.url}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(metadata) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const base = { client_name: 'Calendar', redirect_uris: ['https://cal.example/cb'], token_endpoint_auth_method: 'client_secret_basic' };

  it('registers backchannel_logout_uri and backchannel_logout_session_required, echoed and stored', async () => {
    const res = await register({ ...base, backchannel_logout_uri: 'https://cal.example/bcl', backchannel_logout_session_required: true });
    assert.equal(res.status, 201);
    assert.equal(res.body.backchannel_logout_uri, 'https://cal.example/bcl');
    assert.equal(res.body.backchannel_logout_session_required, true);
    const client = await server.engine.store.getClient(res.body.client_id as string);
    assert.equal(client?.backchannelLogoutUri, 'https://cal.example/bcl');
    assert.equal(client?.backchannelLogoutSessionRequired, true);
  });

  it('refuses a non-https URI, a fragment, and a session_required that is not a boolean', async () => {
    for (const bad of [
      { backchannel_logout_uri: 'http://cal.example/bcl' },
      { backchannel_logout_uri: 'https://cal.example/bcl#x' },
      { backchannel_logout_uri: 'https://cal.example/bcl', backchannel_logout_session_required: 'yes' },
    ]) {
      const res = await register({ ...base, ...bad });
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.equal(res.body.error, 'invalid_client_metadata');
    }
  });
});
