/**
 * Requests at the edges of HTTP that real clients send (issue 13): POST /userinfo with
 * no body, repeated Authorization headers, a body cut short by the client, a JSON
 * batch for /audit/api-calls, and introspection naming user and action tokens' types.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TestBrowser } from '../support/browser.js';
import { CALLBACK, makeFixture, SECRETS } from '../support/fixture.js';
import { authorize } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

describe('request edges', () => {
  let server: TestServer;
  const logs: string[] = [];
  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config, logs });
  });
  after(() => server.close());

  async function openidAccessToken(): Promise<string> {
    const params = await authorize(new TestBrowser(), server.url, {
      client_id: 'calendar-app',
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid profile',
      state: 's',
      nonce: 'n',
    });
    const res = await server.post(
      '/token',
      { grant_type: 'authorization_code', code: params.code!, redirect_uri: CALLBACK },
      basic('calendar-app', SECRETS.calendar),
    );
    return res.body.access_token as string;
  }

  it('answers POST /userinfo with the token in the header and no body (OIDC Core §5.3.1)', async () => {
    const token = await openidAccessToken();
    const res = await fetch(`${server.url}/userinfo`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { sub?: string }).sub, (await server.engine.store.getUserByUsername('alice'))!.id);
    // A body of another type is still refused.
    const json = await fetch(`${server.url}/userinfo`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(json.status, 400);
  });

  it('refuses a request with two Authorization headers', async () => {
    const token = await openidAccessToken();
    const raw = (headers: [string, string][]) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${server.url}/userinfo`, { method: 'GET', headers: [['host', 'tessera.test'], ...headers].flat() }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.once('error', reject).end();
      });
    assert.equal(await raw([['authorization', `Bearer ${token}`]]), 200);
    assert.equal(
      await raw([
        ['authorization', `Bearer ${token}`],
        ['authorization', 'Bearer other'],
      ]),
      400,
    );
    assert.equal(
      await raw([
        ['authorization', basic('basic-client', SECRETS.basic).authorization!],
        ['authorization', `Bearer ${token}`],
      ]),
      400,
    );
  });

  it('counts a client that disconnects mid-body as a client abort, not a server error', async () => {
    const before = await (await fetch(`${server.url}/metrics`)).text();
    const serverErrors = (text: string) => Number(/tessera_oauth_errors_total\{error="server_error"\} (\d+)/.exec(text)?.[1] ?? 0);
    const url = new URL(server.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write('POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type=cli');
        setImmediate(() => socket.destroy());
      });
      socket.once('close', () => resolve()).once('error', reject);
    });
    let line: string | undefined;
    for (let i = 0; i < 50 && line === undefined; i++) {
      line = logs.find((l) => l.includes('"path":"/token"') && l.includes('"status":499'));
      if (line === undefined) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(line, 'the request is logged with status 499');
    assert.ok(!logs.some((l) => l.includes('unhandled error')), 'no stack trace for a client abort');
    const after = await (await fetch(`${server.url}/metrics`)).text();
    assert.equal(serverErrors(after), serverErrors(before));
    assert.match(after, /http_requests_total\{route="\/token",method="POST",status="499"\} 1/);
  });

  it('takes an /audit/api-calls batch as application/json too', async () => {
    const call = { method: 'GET', path: '/calendars?secret=1', status: 200, tokenId: 'jti-json' };
    const post = (body: unknown) =>
      fetch(`${server.url}/audit/api-calls`, {
        method: 'POST',
        headers: { ...basic('introspector', SECRETS.introspector), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    assert.equal((await post([call])).status, 202);
    assert.equal((await post({ calls: [call, call] })).status, 202);
    const bad = await post({ calls: [{ method: 'GET' }] });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, 'invalid_request');
    const garbled = await fetch(`${server.url}/audit/api-calls`, {
      method: 'POST',
      headers: { ...basic('introspector', SECRETS.introspector), 'content-type': 'application/json' },
      body: '[{',
    });
    assert.equal(garbled.status, 400);
    await server.engine.audit.flush();
    const { events } = await server.engine.audit.query({ type: 'api.called', limit: 10 });
    assert.equal(events.filter((r) => r.tokenId === 'jti-json').length, 3);
    assert.deepEqual(events[0]!.details, { method: 'GET', path: '/calendars', status: 200 });
  });

  it('gives user and action tokens their own token_type in introspection', async () => {
    const alice = (await server.engine.store.getUserByUsername('alice'))!;
    const userToken = (await server.engine.credentials.regenerateUserToken(alice.id)).token;
    const actionToken = (await server.engine.credentials.createActionToken(alice.id, { name: 'a', endpoints: ['GET /calendars'] })).token;
    const introspect = async (token: string) => (await server.post('/introspect', { token }, basic('introspector', SECRETS.introspector))).body;
    assert.deepEqual([(await introspect(userToken)).token_type, (await introspect(userToken)).token_kind], ['Token', 'user_token']);
    assert.deepEqual([(await introspect(actionToken)).token_type, (await introspect(actionToken)).token_kind], ['ActionToken', 'action_token']);
    assert.equal((await introspect(await openidAccessToken())).token_type, 'Bearer');
  });
});
