/**
 * Back-channel logout deliveries survive a server stop (issue 19): a delivery whose
 * first attempt failed waits in the store's logout outbox; the server stops before its
 * retry; another server started on the same database (and master key) sends it once
 * due, off the request path, and audits it. The token is checked with jose against
 * the new server's /jwks, as a relying party would.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { FrozenClock } from '../../src/core/clock.js';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/core/logout/backchannel-logout.js';
import type { Store } from '../../src/core/ports/storage.js';
import { MANAGEMENT_SCOPES, managementAudience } from '../../src/management/management-api.js';
import { createSafePoster } from '../../src/server/safe-fetch.js';
import { TestBrowser } from '../support/browser.js';
import { CALLBACK, makeFixture, SECRETS } from '../support/fixture.js';
import { authorize } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';
import { createTestStore } from '../support/test-store.js';

describe('back-channel logout across a restart', () => {
  let receiver: Server;
  let store: Store;
  let dispose: () => Promise<void>;
  let config: unknown;
  const masterKey = randomBytes(32);
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));
  /** Statuses the receiver answers with, in turn (200 once they run out). */
  const answers: number[] = [];
  const received: { status: number; form: URLSearchParams }[] = [];
  const waiting: (() => void)[] = [];
  const nextDelivery = () =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no logout token arrived')), 10_000);
      waiting.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  // A long first retry: the server is stopped long before it.
  const backchannelLogout = { transport: createSafePoster({ allowPrivateAddresses: true, timeoutMs: 2000 }), retryDelaysMs: [60_000, 60_000] };

  before(async () => {
    receiver = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = answers.shift() ?? 200;
        received.push({ status, form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(status).end();
        waiting.shift()?.();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    config = (await makeFixture()).config;
    const calendar = (config as { clients: Record<string, unknown>[] }).clients.find((c) => c.clientId === 'calendar-app')!;
    calendar.backchannelLogoutUri = `http://127.0.0.1:${port}/backchannel-logout`;
    ({ store, dispose } = await createTestStore());
  });
  after(async () => {
    await dispose();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const start = (options: { send?: boolean } = {}) =>
    startTestServer({ config, store, masterKey, clock, backchannelLogout: { ...backchannelLogout, ...options } });

  /** Signs alice in to calendar-app at `server`; answers the ID token's sid and sub. */
  async function signIn(server: TestServer): Promise<{ sid: unknown; sub: string }> {
    const { code } = await authorize(new TestBrowser(), server.url, {
      client_id: 'calendar-app',
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid',
      nonce: 'n',
    });
    const tokens = await server.post(
      '/token',
      { grant_type: 'authorization_code', code: code!, redirect_uri: CALLBACK },
      basic('calendar-app', SECRETS.calendar),
    );
    const { sid, sub } = decodeJwt(tokens.body.id_token as string);
    return { sid, sub: sub! };
  }

  it('sends a pending delivery from another server started on the same database', async () => {
    const first: TestServer = await start();
    const { sid, sub } = await signIn(first);

    // An administrator ends the session; the client is down (503) at the first attempt.
    const rootId = (await store.getUserByUsername('root'))!.id;
    const admin = (
      await first.engine.credentials.createPersonalAccessToken(rootId, { name: 'ops', api: managementAudience(first.url), scopes: [...MANAGEMENT_SCOPES] })
    ).token;
    answers.push(503);
    const failed = nextDelivery();
    const ended = await fetch(`${first.url}/api/v1/users/${sub}/sessions`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } });
    assert.ok(ended.status < 300, `ending the sessions: ${ended.status}`);
    await failed;
    // The failed attempt is recorded before the server stops: pending, due in a minute.
    for (let i = 0; i < 200; i++) {
      const [row] = await store.logoutOutbox.listMail({ status: 'pending', limit: 10 });
      if (row?.attempts === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const [pending] = await store.logoutOutbox.listMail({ status: 'pending', limit: 10 });
    assert.equal(pending?.attempts, 1);
    assert.equal(pending.recipient, 'calendar-app');
    assert.equal(pending.lastError, 'HTTP 503');
    await first.close();
    assert.equal(received.length, 1, 'the stopped server sent nothing more');

    // Later, another server on the same database takes the delivery up on its own.
    clock.advance(61);
    const delivered = nextDelivery();
    const second = await start();
    try {
      await delivered;
      const last = received.at(-1)!;
      assert.equal(last.status, 200);
      const { payload } = await jwtVerify(last.form.get('logout_token')!, createRemoteJWKSet(new URL(`${second.url}/jwks`)), {
        issuer: second.url,
        audience: 'calendar-app',
        typ: 'logout+jwt',
        currentDate: new Date(clock.now() * 1000),
      });
      assert.equal(payload.sid, sid);
      assert.equal(payload.sub, sub);
      assert.deepEqual(payload.events, { [BACKCHANNEL_LOGOUT_EVENT]: {} });
      await second.engine.backchannelLogout!.idle();
      assert.equal((await store.logoutOutbox.countMail()).pending, 0);
      assert.equal((await store.logoutOutbox.countMail()).sent, 1);
      assert.match(await (await fetch(`${second.url}/metrics`)).text(), /tessera_backchannel_logout_deliveries\{status="sent"\} 1/);
      await second.engine.audit.flush();
      const { events } = await second.engine.audit.query({ type: 'logout.backchannel_delivered', limit: 10 });
      assert.equal(events.length, 1);
      assert.equal(events[0]!.details?.attempts, 2);
      assert.equal(events[0]!.details?.sid, sid);
    } finally {
      await second.close();
    }
  });

  // Last: it uses what the test above left (alice, the sent delivery).
  it('records, without sending, sessions ended where nothing sends (the command line); a server sends them', async () => {
    const recorder = await start({ send: false });
    const { sid, sub } = await signIn(recorder);
    const before = received.length;
    const rootId = (await store.getUserByUsername('root'))!.id;
    const admin = (
      await recorder.engine.credentials.createPersonalAccessToken(rootId, {
        name: 'ops2',
        api: managementAudience(recorder.url),
        scopes: [...MANAGEMENT_SCOPES],
      })
    ).token;
    const ended = await fetch(`${recorder.url}/api/v1/users/${sub}/sessions`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } });
    assert.ok(ended.status < 300);
    await recorder.close(); // waits until the delivery is recorded
    assert.equal(received.length, before, 'nothing was sent');
    assert.equal((await store.logoutOutbox.countMail()).pending, 1);

    const delivered = nextDelivery();
    const sender = await start();
    try {
      await delivered;
      assert.equal(decodeJwt(received.at(-1)!.form.get('logout_token')!).sid, sid);
    } finally {
      await sender.close();
    }
  });
});
