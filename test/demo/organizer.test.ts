/**
 * The Organizer demo API (examples/organizer) against a real Tessera configured with
 * examples/organizer/tessera.yaml: every credential kind is accepted where it should be
 * and refused where it should not, path tricks are refused, and each caller's data
 * stays in its own space (a sandboxed app never sees the user's data, nor the user the
 * sandbox's), and deleting a calendar takes a step-up to a recent two-factor sign-in
 * (RFC 9470), its one-time code computed by the test. Black-box: tokens come from Tessera's endpoints or its credential service,
 * and everything is checked through the API's HTTP responses.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createOrganizerApp, ORGANIZER_AUDIENCE, type OrganizerApp } from '../../examples/organizer/app.js';
import { parseConfigText } from '../../src/core/config/load.js';
import { TestBrowser } from '../support/browser.js';
import { authorize, authorizeUrl, pkce, submitSignIn } from '../support/sign-in.js';
import { submitCode, totpAt } from '../support/totp.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const EXAMPLE = join(root, 'examples/organizer');
const config = parseConfigText(readFileSync(join(EXAMPLE, 'tessera.yaml'), 'utf8'), 'examples/organizer/tessera.yaml');
const clientOf = (id: string) => config.clients.find((c) => c.clientId === id)!;
const secretOf = (id: string) => clientOf(id).secrets[0]!;
const redirectOf = (id: string) => clientOf(id).redirectUris[0]!;
const ALICE_PASSWORD = config.users.find((u) => u.username === 'alice')!.password!;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Answer {
  status: number;
  headers: Headers;
  body: Json;
}

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Json;

describe('demo: the Organizer API on a real Tessera', () => {
  let server: TestServer;
  let organizer: OrganizerApp;
  let api: string;
  let aliceId: string;

  before(async () => {
    server = await startTestServer({ config });
    aliceId = (await server.engine.store.getUserByUsername('alice'))!.id;
    organizer = createOrganizerApp({
      auth: {
        issuer: server.url,
        audience: ORGANIZER_AUDIENCE,
        introspection: { clientId: 'organizer-api', clientSecret: secretOf('organizer-api'), cacheSeconds: 0 },
        debug: true,
      },
    });
    await new Promise<void>((done) => organizer.server.listen(0, '127.0.0.1', done));
    api = `http://127.0.0.1:${(organizer.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    organizer.server.closeAllConnections();
    await new Promise((done) => organizer.server.close(done));
    await server.close();
  });

  // -- helpers ------------------------------------------------------------------------

  async function call(authorization: string | undefined, method: string, path: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (authorization) headers.authorization = authorization;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${api}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Json) : {} };
  }

  /** Sends the path exactly as written: fetch (like curl without --path-as-is) would resolve dot segments first. */
  function raw(authorization: string, method: string, path: string): Promise<{ status: number; body: string }> {
    const { port } = organizer.server.address() as AddressInfo;
    return new Promise((done, fail) => {
      const req = request({ host: '127.0.0.1', port, method, path, headers: { authorization } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', fail);
      req.end();
    });
  }

  const expectRefused = (answer: Answer, status: number, reason: string, scope?: string) => {
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    assert.match(String(answer.body.error_description), new RegExp(`\\(${reason}\\)`), JSON.stringify(answer.body));
    if (scope) {
      assert.equal(answer.body.scope, scope);
      assert.match(answer.headers.get('www-authenticate') ?? '', new RegExp(`scope="${scope}"`));
    }
  };

  const ids = (list: { id: string }[]) => list.map((item) => item.id);

  async function clientCredentials(scope?: string): Promise<string> {
    const res = await server.post(
      '/token',
      { grant_type: 'client_credentials', resource: ORGANIZER_AUDIENCE, ...(scope ? { scope } : {}) },
      basic('reminder-service', secretOf('reminder-service')),
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.access_token as string;
  }

  const pat = async (scopes: string[]) =>
    `Bearer ${(await server.engine.credentials.createPersonalAccessToken(aliceId, { name: `pat ${scopes.join(' ')}`, api: ORGANIZER_AUDIENCE, scopes, expiresIn: 3600 })).token}`;

  /** A browser in which alice has signed in (with the password of tessera.yaml). */
  async function aliceBrowser(): Promise<TestBrowser> {
    const browser = new TestBrowser();
    const page = await browser.follow(await browser.get(authorizeUrl(server.url, sandboxParams())), server.url);
    assert.match(page.html, /name="password"/, 'a sign-in page first');
    const done = await browser.follow(await submitSignIn(browser, page, 'alice', ALICE_PASSWORD), server.url);
    assert.ok(done.location?.startsWith(redirectOf('textapp')), 'signed in');
    return browser;
  }

  const sandboxParams = (extra: Record<string, string> = {}) => ({
    client_id: 'textapp',
    response_type: 'code',
    redirect_uri: redirectOf('textapp'),
    scope: 'openid read:calendars write:calendars read:tasks write:tasks',
    state: 's',
    ...extra,
  });

  async function sandboxToken(browser: TestBrowser, extra: Record<string, string> = {}): Promise<string> {
    const { code } = await authorize(browser, server.url, sandboxParams(extra));
    assert.ok(code, 'a code came back');
    const res = await server.post(
      '/token',
      { grant_type: 'authorization_code', code, redirect_uri: redirectOf('textapp') },
      basic('textapp', secretOf('textapp')),
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.access_token as string;
  }

  // -- the example itself ------------------------------------------------------------------

  it('is built on the SDK alone: it imports @tessera/resource-server, node built-ins and its own files', () => {
    const IMPORT = /^\s*(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm;
    const files = readdirSync(EXAMPLE).filter((name) => name.endsWith('.ts'));
    assert.ok(files.includes('app.ts') && files.includes('demo.ts'));
    for (const name of files) {
      for (const match of readFileSync(join(EXAMPLE, name), 'utf8').matchAll(IMPORT)) {
        const specifier = (match[1] ?? match[2])!;
        const where = `examples/organizer/${name} imports ${specifier}`;
        if (specifier.startsWith('.')) {
          const target = relative(root, resolve(EXAMPLE, specifier));
          assert.ok(target.startsWith('examples/organizer/'), where);
        } else {
          const sdk = /^@tessera\/resource-server(\/(express|fastify|hono|node-http))?$/.test(specifier);
          assert.ok(sdk || specifier.startsWith('node:') || (name === 'demo.ts' && specifier === 'yaml'), where);
        }
      }
    }
  });

  it('answers without credentials with a Bearer challenge, and serves /healthz openly', async () => {
    const none = await call(undefined, 'GET', '/calendars');
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    expectRefused(await call('Bearer not-a-token', 'GET', '/calendars'), 401, 'malformed_token');
    expectRefused(await call('Basic YWxpY2U6c2VjcmV0', 'GET', '/calendars'), 401, 'unsupported_scheme');
    assert.equal((await call(undefined, 'GET', '/healthz')).status, 200);
    assert.equal((await call(undefined, 'GET', '/nowhere')).status, 404);
    const wrongMethod = await call(undefined, 'DELETE', '/tasks');
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'GET, POST');
  });

  // -- each credential ------------------------------------------------------------------------

  it('machine-to-machine JWT (client_credentials): its own data space, its scopes only', async () => {
    const token = await clientCredentials('read:calendars write:calendars read:tasks');
    assert.equal(claimsOf(token).sub, 'reminder-service');
    const bearer = `Bearer ${token}`;
    const made = await call(bearer, 'POST', '/calendars', { name: 'Reminders' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.headers.get('location'), `/calendars/${made.body.id}`);
    const list = await call(bearer, 'GET', '/calendars');
    assert.equal(list.status, 200);
    assert.equal(list.body.space, 'client');
    assert.deepEqual(ids(list.body.calendars), [made.body.id]);
    assert.equal((await call(bearer, 'GET', '/tasks')).status, 200);
    expectRefused(await call(bearer, 'POST', '/tasks', { title: 'x' }), 403, 'insufficient_scope', 'write:tasks');
    expectRefused(await call(bearer, 'GET', '/contacts'), 403, 'insufficient_scope', 'read:contacts');
    // What the user owns is not the integration's, and the reverse.
    const alice = await pat(['read:calendars']);
    assert.ok(!ids((await call(alice, 'GET', '/calendars')).body.calendars).includes(made.body.id));
    assert.equal((await call(alice, 'GET', `/calendars/${made.body.id}`)).status, 404);
  });

  it("personal access token: alice's data, within the scopes it was given", async () => {
    const token = await pat(['read:calendars', 'write:calendars', 'read:contacts']);
    const made = await call(token, 'POST', '/calendars', { name: 'Work' });
    assert.equal(made.status, 201);
    const event = await call(token, 'POST', `/calendars/${made.body.id}/events`, {
      title: 'Planning',
      start: '2026-05-04T09:30:00Z',
      end: '2026-05-04T10:00:00Z',
      attendees: ['bob@example.com'],
    });
    assert.equal(event.status, 201, JSON.stringify(event.body));
    const one = await call(token, 'GET', `/calendars/${made.body.id}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.events, 1);
    const events = await call(token, 'GET', `/calendars/${made.body.id}/events`);
    assert.deepEqual(ids(events.body.events), [event.body.id]);
    assert.equal((await call(token, 'GET', '/calendars')).body.space, 'user');
    assert.equal((await call(token, 'GET', '/contacts')).status, 200);
    expectRefused(await call(token, 'GET', '/tasks'), 403, 'insufficient_scope', 'read:tasks');
    expectRefused(await call(token, 'POST', '/contacts', { name: 'Bob' }), 403, 'insufficient_scope', 'write:contacts');
    expectRefused(await call(token, 'PATCH', '/tasks/tsk_x', { done: true }), 403, 'insufficient_scope', 'write:tasks');
    // The same token under another scheme is refused.
    expectRefused(await call(token.replace('Bearer', 'Token'), 'GET', '/calendars'), 401, 'malformed_token');
  });

  it("service access token: the service account's own space, read-only by its role", async () => {
    const account = (await server.engine.store.getServiceAccountByName('nightly-sync'))!;
    const { token } = await server.engine.credentials.createServiceAccessToken(account.id, {
      name: 'backup',
      api: ORGANIZER_AUDIENCE,
      scopes: ['read:calendars', 'read:tasks'],
    });
    const list = await call(`Bearer ${token}`, 'GET', '/calendars');
    assert.equal(list.status, 200);
    assert.equal(list.body.space, 'service');
    assert.deepEqual(list.body.calendars, []);
    assert.equal((await call(`Bearer ${token}`, 'GET', '/tasks')).status, 200);
    expectRefused(await call(`Bearer ${token}`, 'POST', '/calendars', { name: 'x' }), 403, 'insufficient_scope', 'write:calendars');
    expectRefused(await call(`Bearer ${token}`, 'GET', '/contacts'), 403, 'insufficient_scope', 'read:contacts');
  });

  it("user token: all of alice's access through her role, on the same data as her PAT", async () => {
    const { token } = await server.engine.credentials.regenerateUserToken(aliceId);
    const key = `Token ${token}`;
    const viaPat = await call(await pat(['write:calendars']), 'POST', '/calendars', { name: 'Shared with the user token' });
    const list = await call(key, 'GET', '/calendars');
    assert.equal(list.status, 200);
    assert.equal(list.body.space, 'user');
    assert.ok(ids(list.body.calendars).includes(viaPat.body.id));
    const task = await call(key, 'POST', '/tasks', { title: 'Book the dentist', due: '2026-05-08' });
    assert.equal(task.status, 201, JSON.stringify(task.body));
    const done = await call(key, 'PATCH', `/tasks/${task.body.id}`, { done: true, due: null });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.done, true);
    assert.equal(done.body.due, undefined);
    assert.equal((await call(key, 'POST', '/contacts', { name: 'Bob', email: 'bob@example.com' })).status, 201);
    assert.equal((await call(key, 'GET', '/contacts')).status, 200);
    expectRefused(await call(`ActionToken ${token}`, 'GET', '/calendars'), 401, 'wrong_token_kind');
    expectRefused(await call(`Bearer ${token}`, 'GET', '/calendars'), 401, 'malformed_token');
  });

  it('action token: only the endpoints it lists; path tricks are refused', async () => {
    const calendar = (await call(await pat(['write:calendars']), 'POST', '/calendars', { name: 'Feed' })).body;
    const { token } = await server.engine.credentials.createActionToken(aliceId, {
      name: 'events feed',
      endpoints: ['GET /calendars/*/events', 'POST /calendars/*/events'],
    });
    const key = `ActionToken ${token}`;
    assert.equal((await call(key, 'GET', `/calendars/${calendar.id}/events`)).status, 200);
    assert.equal(
      (await call(key, 'GET', `/calendars/${calendar.id}/events/?since=2026-01-01`)).status,
      200,
      'a trailing slash and a query are the same endpoint',
    );
    assert.equal((await call(key, 'POST', `/calendars/${calendar.id}/events`, { title: 'Standup', start: '2026-05-05T08:00:00Z' })).status, 201);
    for (const [method, path] of [
      ['GET', '/calendars'],
      ['POST', '/calendars'],
      ['GET', `/calendars/${calendar.id}`],
      ['GET', '/contacts'],
      ['GET', '/tasks'],
      ['PATCH', '/tasks/tsk_x'],
    ] as const) {
      expectRefused(await call(key, method, path, method === 'GET' ? undefined : {}), 403, 'endpoint_not_allowed');
    }
    // Dot segments, encoded separators and empty segments are never resolved into
    // another route: not for the action token, and not for alice's user token either
    // (which may read contacts, but only at /contacts).
    const { token: userToken } = await server.engine.credentials.regenerateUserToken(aliceId);
    for (const path of [
      '/calendars/x/../contacts',
      `/calendars/${calendar.id}/events/../../../contacts`,
      '/calendars/x/%2e%2e/%2e%2e/contacts',
      `/calendars/${calendar.id}/./events`,
      `/calendars/${calendar.id}%2Fevents`,
      `/calendars/${calendar.id}%5cevents`,
      `/calendars/${calendar.id}\\events`,
      `//calendars/${calendar.id}/events`,
      `/calendars//events`,
      '/calendars/%zz/events',
    ]) {
      for (const authorization of [key, `Token ${userToken}`]) {
        const answer = await raw(authorization, 'GET', path);
        assert.ok(answer.status === 400 || answer.status === 403, `${path} with ${authorization.split(' ')[0]}: ${answer.status} ${answer.body}`);
        assert.doesNotMatch(answer.body, /"contacts"|"events"/, `${path}: no data`);
      }
    }
    assert.equal((await raw(key, 'GET', '/calendars/x/../contacts')).status, 400, 'the app refuses ambiguous paths before anything else');
  });

  // -- browser sign-ins and the sandbox ------------------------------------------------------------

  it("CalendarApp (code flow, consent) and MyTodos (public, PKCE) reach alice's data within what she consented", async () => {
    const browser = await aliceBrowser();
    const aliceCalendar = (await call(await pat(['write:calendars']), 'POST', '/calendars', { name: "Alice's" })).body;

    const { code } = await authorize(browser, server.url, {
      client_id: 'calendar-app',
      response_type: 'code',
      redirect_uri: redirectOf('calendar-app'),
      scope: 'openid read:calendars read:contacts',
      state: 'c',
    });
    const calendarApp = await server.post(
      '/token',
      { grant_type: 'authorization_code', code: code!, redirect_uri: redirectOf('calendar-app') },
      basic('calendar-app', secretOf('calendar-app')),
    );
    assert.equal(calendarApp.status, 200, JSON.stringify(calendarApp.body));
    const calBearer = `Bearer ${calendarApp.body.access_token as string}`;
    assert.equal(claimsOf(calendarApp.body.access_token as string).sub, aliceId);
    const list = await call(calBearer, 'GET', '/calendars');
    assert.equal(list.body.space, 'user');
    assert.ok(ids(list.body.calendars).includes(aliceCalendar.id));
    expectRefused(await call(calBearer, 'POST', '/calendars', { name: 'x' }), 403, 'insufficient_scope', 'write:calendars');
    expectRefused(await call(calBearer, 'GET', '/tasks'), 403, 'insufficient_scope', 'read:tasks');

    const { verifier, challenge } = pkce();
    const spa = await authorize(browser, server.url, {
      client_id: 'mytodos',
      response_type: 'code',
      redirect_uri: redirectOf('mytodos'),
      scope: 'read:tasks write:tasks',
      state: 't',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const myTodos = await server.post('/token', {
      grant_type: 'authorization_code',
      code: spa.code!,
      redirect_uri: redirectOf('mytodos'),
      client_id: 'mytodos',
      code_verifier: verifier,
    });
    assert.equal(myTodos.status, 200, JSON.stringify(myTodos.body));
    const todoBearer = `Bearer ${myTodos.body.access_token as string}`;
    const task = await call(todoBearer, 'POST', '/tasks', { title: 'From MyTodos' });
    assert.equal(task.status, 201);
    const { token: userToken } = await server.engine.credentials.regenerateUserToken(aliceId);
    assert.ok(ids((await call(`Token ${userToken}`, 'GET', '/tasks')).body.tasks).includes(task.body.id), 'alice sees what MyTodos wrote for her');
    expectRefused(await call(todoBearer, 'GET', '/calendars'), 403, 'insufficient_scope', 'read:calendars');
  });

  it("sandbox: the silently signed-in app and alice never see each other's data", async () => {
    const alice = await pat(['read:calendars', 'write:calendars']);
    const aliceCalendar = (await call(alice, 'POST', '/calendars', { name: 'Alice private' })).body;
    const aliceTasks = (await call(`Token ${(await server.engine.credentials.regenerateUserToken(aliceId)).token}`, 'POST', '/tasks', { title: 'Alice task' }))
      .body;

    const browser = await aliceBrowser();
    const token = await sandboxToken(browser);
    const claims = claimsOf(token);
    assert.match(claims.sub, /^sbx_/);
    assert.notEqual(claims.sub, aliceId);
    assert.equal(claims.sandbox, true);
    const sandbox = `Bearer ${token}`;

    // The sandbox starts empty: none of alice's data, not even by id.
    const first = await call(sandbox, 'GET', '/calendars');
    assert.equal(first.status, 200);
    assert.equal(first.body.space, 'sandbox');
    assert.deepEqual(first.body.calendars, []);
    assert.deepEqual((await call(sandbox, 'GET', '/tasks')).body.tasks, []);
    assert.equal((await call(sandbox, 'GET', `/calendars/${aliceCalendar.id}`)).status, 404);
    assert.equal((await call(sandbox, 'GET', `/calendars/${aliceCalendar.id}/events`)).status, 404);
    assert.equal((await call(sandbox, 'POST', `/calendars/${aliceCalendar.id}/events`, { title: 'x', start: '2026-01-01' })).status, 404);
    assert.equal((await call(sandbox, 'PATCH', `/tasks/${aliceTasks.id}`, { done: true })).status, 404);

    // What it creates stays in the sandbox.
    const trial = (await call(sandbox, 'POST', '/calendars', { name: 'TextApp trial' })).body;
    const trialTask = (await call(sandbox, 'POST', '/tasks', { title: 'Sandbox task' })).body;
    assert.deepEqual(ids((await call(sandbox, 'GET', '/calendars')).body.calendars), [trial.id]);
    assert.ok(!ids((await call(alice, 'GET', '/calendars')).body.calendars).includes(trial.id), "invisible to alice's PAT");
    assert.equal((await call(alice, 'GET', `/calendars/${trial.id}`)).status, 404);
    const { token: userToken } = await server.engine.credentials.regenerateUserToken(aliceId);
    assert.ok(!ids((await call(`Token ${userToken}`, 'GET', '/tasks')).body.tasks).includes(trialTask.id), 'invisible to her user token');
    assert.equal((await call(`Token ${userToken}`, 'PATCH', `/tasks/${trialTask.id}`, { done: true })).status, 404);
    const { token: action } = await server.engine.credentials.createActionToken(aliceId, { name: 'feed', endpoints: ['GET /calendars/*/events'] });
    assert.equal((await call(`ActionToken ${action}`, 'GET', `/calendars/${trial.id}/events`)).status, 404, 'and to her action token');

    // Stable: the next silent sign-in of the same user and app finds the same sandbox.
    const again = `Bearer ${await sandboxToken(browser)}`;
    assert.deepEqual(ids((await call(again, 'GET', '/calendars')).body.calendars), [trial.id]);

    // Through the normal consent flow (prompt=consent) the app acts for alice herself.
    const consented = await sandboxToken(browser, { prompt: 'consent' });
    assert.equal(claimsOf(consented).sub, aliceId);
    const real = await call(`Bearer ${consented}`, 'GET', '/calendars');
    assert.equal(real.body.space, 'user');
    assert.ok(ids(real.body.calendars).includes(aliceCalendar.id));
    assert.ok(!ids(real.body.calendars).includes(trial.id));
  });

  // -- step-up (RFC 9470) ------------------------------------------------------------------

  it('deleting a calendar asks for a recent two-factor sign-in: challenge, re-authorization with acr_values, a one-time code, then the new token passes', async () => {
    const alice = (await server.engine.store.getUserByUsername('alice'))!;
    const browser = await aliceBrowser();
    const calendar = (await call(await pat(['write:calendars']), 'POST', '/calendars', { name: 'To delete' })).body;
    const calendarApp = async (extra: Record<string, string> = {}): Promise<string> => {
      const { code } = await authorize(browser, server.url, {
        client_id: 'calendar-app',
        response_type: 'code',
        redirect_uri: redirectOf('calendar-app'),
        scope: 'openid write:calendars',
        state: 'd',
        ...extra,
      });
      assert.ok(code, 'a code came back');
      const res = await server.post(
        '/token',
        { grant_type: 'authorization_code', code, redirect_uri: redirectOf('calendar-app') },
        basic('calendar-app', secretOf('calendar-app')),
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.access_token as string;
    };
    try {
      // A PAT has no sign-in behind it: never enough, whatever its scopes.
      expectRefused(await call(await pat(['write:calendars']), 'DELETE', `/calendars/${calendar.id}`), 401, 'insufficient_user_authentication');

      // A token from a password sign-in: the API answers with an RFC 9470 challenge.
      const weak = await calendarApp();
      assert.equal(claimsOf(weak).acr, 'urn:tessera:loa:1fa');
      const refused = await call(`Bearer ${weak}`, 'DELETE', `/calendars/${calendar.id}`);
      expectRefused(refused, 401, 'insufficient_user_authentication');
      const challenge = refused.headers.get('www-authenticate') ?? '';
      assert.match(challenge, /^Bearer error="insufficient_user_authentication"/);
      const acrValues = /acr_values="([^"]+)"/.exec(challenge)?.[1];
      const maxAge = /max_age=(\d+)/.exec(challenge)?.[1];
      assert.equal(acrValues, 'urn:tessera:loa:2fa');
      assert.equal(maxAge, '300');

      // alice sets up an authenticator app (as on /account); the app sends her back with the challenge's values.
      const enrolment = server.engine.mfa.startTotp(alice);
      const now = () => Math.floor(Date.now() / 1000);
      const enrolled = await server.engine.mfa.confirmTotp(
        alice,
        enrolment.sealed,
        totpAt(enrolment.secret, now()),
        {},
        { type: 'user', id: alice.id },
        '127.0.0.1',
      );
      assert.ok(enrolled.ok);
      const codePage = await browser.follow(
        await browser.get(
          authorizeUrl(server.url, {
            client_id: 'calendar-app',
            response_type: 'code',
            redirect_uri: redirectOf('calendar-app'),
            scope: 'openid write:calendars',
            state: 'e',
            acr_values: acrValues!,
            max_age: maxAge!,
          }),
        ),
        server.url,
      );
      assert.match(codePage.html, /Enter your code/, 'the live password session is asked for a code, not the password');
      assert.doesNotMatch(codePage.html, /name="password"/);
      // The code of the next 30-second step: within the drift Tessera allows, and after the one used to enrol.
      const back = await browser.follow(await submitCode(browser, codePage, totpAt(enrolment.secret, now(), 1)), server.url);
      assert.ok(back.location?.startsWith(redirectOf('calendar-app')), `back to the app: ${back.status} ${back.html.slice(0, 300)}`);
      const code = new URL(back.location!).searchParams.get('code')!;
      const res = await server.post(
        '/token',
        { grant_type: 'authorization_code', code, redirect_uri: redirectOf('calendar-app') },
        basic('calendar-app', secretOf('calendar-app')),
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const strong = res.body.access_token as string;
      assert.equal(claimsOf(strong).acr, 'urn:tessera:loa:2fa');
      assert.deepEqual(claimsOf(strong).amr, ['pwd', 'otp', 'mfa']);

      const deleted = await fetch(`${api}/calendars/${calendar.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${strong}` } });
      assert.equal(deleted.status, 204);
      assert.equal((await call(`Bearer ${strong}`, 'DELETE', `/calendars/${calendar.id}`)).status, 404, 'gone');
      assert.equal((await call(await pat(['read:calendars']), 'GET', `/calendars/${calendar.id}`)).status, 404);
    } finally {
      await server.engine.mfa.reset(alice.id, { type: 'user', id: alice.id });
    }
  });

  // -- input handling -----------------------------------------------------------------------

  it('validates bodies and ids', async () => {
    const { token } = await server.engine.credentials.regenerateUserToken(aliceId);
    const key = `Token ${token}`;
    const post = (path: string, body: string, type = 'application/json') =>
      fetch(`${api}${path}`, { method: 'POST', headers: { authorization: key, 'content-type': type }, body }).then((r) => r.status);
    assert.equal(await post('/calendars', '{"name":"x"}', 'text/plain'), 415);
    assert.equal(await post('/calendars', '{"name":'), 400);
    assert.equal(await post('/calendars', '[]'), 400);
    assert.equal(await post('/calendars', '{"name":""}'), 400);
    assert.equal(await post('/calendars', '{"name":"x","owner":"bob"}'), 400, 'unknown fields are refused');
    assert.equal(await post('/calendars', JSON.stringify({ name: 'x'.repeat(20_000) })), 413);
    assert.equal(await post('/contacts', '{"name":"Bob","email":"not an address"}'), 400);
    assert.equal(await post('/tasks', '{"title":"t","done":"yes"}'), 400);
    assert.equal(await post('/calendars/cal_unknown/events', '{"title":"t","start":"2026-01-01"}'), 404);
    const calendar = (await call(key, 'POST', '/calendars', { name: 'Checks' })).body;
    assert.equal(await post(`/calendars/${calendar.id}/events`, '{"title":"t","start":"soon"}'), 400);
    assert.equal(await post(`/calendars/${calendar.id}/events`, '{"title":"t","start":"2026-01-02","end":"2026-01-01"}'), 400);
    assert.equal((await call(key, 'PATCH', '/tasks/tsk_unknown', { done: true })).status, 404);
    const task = (await call(key, 'POST', '/tasks', { title: 't' })).body;
    assert.equal((await call(key, 'PATCH', `/tasks/${task.id}`, {})).status, 400);
  });
});
