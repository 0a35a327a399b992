/**
 * The audit log, black-box: every event type is driven through the real HTTP server
 * (or the engine call behind a CLI verb), then read back with its fields. Every secret
 * and token the test creates is collected, and none may appear in any audit record or
 * log line.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEventType, AuditRecord } from '../../src/core/audit/audit-event.js';
import { validateConfig } from '../../src/core/config/load.js';
import { TestBrowser } from '../support/browser.js';
import { CALLBACK, makeFixture, MAPPERS, ORGANIZER, PASSWORDS, SECRETS } from '../support/fixture.js';
import { authorize, authorizeUrl, submitSignIn } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('audit log', () => {
  let server: TestServer;
  const logs: string[] = [];
  /** Everything secret this test made or sent: none may reach the audit log or the logs. */
  const secrets = new Set<string>();
  const keep = (...values: unknown[]) => {
    for (const v of values) if (typeof v === 'string' && v.length >= 8) secrets.add(v);
  };
  let aliceId: string;

  before(async () => {
    const { config } = await makeFixture();
    for (const client of (config as { clients: { secrets?: string[] }[] }).clients) keep(...(client.secrets ?? []));
    keep(...Object.values(PASSWORDS), 'root-password-123');
    server = await startTestServer({ config, logs, refreshTokens: { reuseGrace: 0 } });
    aliceId = (await server.engine.store.getUserByUsername('alice'))!.id;
  });
  after(() => server.close());

  const all = async (): Promise<AuditRecord[]> => {
    await server.engine.audit.flush();
    const records: AuditRecord[] = [];
    for await (const record of server.engine.audit.records()) records.push(record);
    return records;
  };
  const latest = async (type: AuditEventType, match: (r: AuditRecord) => boolean = () => true): Promise<AuditRecord> => {
    await server.engine.audit.flush();
    const { events } = await server.engine.audit.query({ type, limit: 1000 });
    const found = events.find(match);
    assert.ok(found, `no ${type} event matching`);
    return found;
  };
  const isLoopback = (ip: string | undefined) => ip === '127.0.0.1' || ip === '::ffff:127.0.0.1' || ip === '::1';

  it('records client_credentials tokens with kind, client, subject, API, scopes, id, address and request id', async () => {
    const res = await server.post(
      '/token',
      { grant_type: 'client_credentials', scope: 'read:calendars' },
      { ...basic('basic-client', SECRETS.basic), 'x-request-id': 'req-audit-1' },
    );
    assert.equal(res.status, 200);
    keep(res.body.access_token);
    const event = await latest('token.issued', (r) => r.requestId === 'req-audit-1');
    assert.equal(event.outcome, 'success');
    assert.equal(event.tokenKind, 'access_token');
    assert.equal(event.tokenId, claimsOf(res.body.access_token as string).jti);
    assert.equal(event.clientId, 'basic-client');
    assert.equal(event.subject, 'basic-client');
    assert.equal(event.api, ORGANIZER);
    assert.deepEqual(event.scopes, ['read:calendars']);
    assert.deepEqual(event.actor, { type: 'client', id: 'basic-client' });
    assert.equal(event.details?.grantType, 'client_credentials');
    assert.ok(isLoopback(event.ip), event.ip);
    assert.ok(Math.abs(event.at - Date.now()) < 60_000);
  });

  it('records a failed client authentication with the client id, never the secret', async () => {
    const wrong = 'a-wrong-secret-that-is-quite-long';
    keep(wrong);
    assert.equal((await server.post('/token', { grant_type: 'client_credentials' }, basic('basic-client', wrong))).status, 401);
    const event = await latest('client.authentication_failed', (r) => r.clientId === 'basic-client');
    assert.equal(event.outcome, 'failure');
    assert.match(event.reason!, /^invalid_client/);
    assert.equal(event.details?.endpoint, '/token');
    await server.post('/token', { grant_type: 'client_credentials', client_id: 'no-such-client', client_secret: wrong });
    assert.ok(await latest('client.authentication_failed', (r) => r.clientId === 'no-such-client'));
  });

  it('records introspection failures, and revocations with the token id', async () => {
    const ref = await server.post('/token', { grant_type: 'client_credentials', client_id: 'post-client', client_secret: SECRETS.post, resource: MAPPERS });
    keep(ref.body.access_token);
    const bad = await server.post('/introspect', { token: ref.body.access_token as string }, basic('introspector', 'not-the-introspector-secret'));
    keep('not-the-introspector-secret');
    assert.equal(bad.status, 401);
    const failed = await latest('token.introspection_failed');
    assert.equal(failed.clientId, 'introspector');
    assert.match(failed.reason!, /^invalid_client/);
    const publicClient = await server.post('/introspect', { token: ref.body.access_token as string, client_id: 'public-app' });
    assert.equal(publicClient.status, 401);
    assert.ok(await latest('token.introspection_failed', (r) => r.clientId === 'public-app'));

    const issued = await latest('token.issued', (r) => r.clientId === 'post-client');
    assert.equal((await server.post('/revoke', { token: ref.body.access_token as string, client_id: 'post-client', client_secret: SECRETS.post })).status, 200);
    const revoked = await latest('token.revoked', (r) => r.tokenId === issued.tokenId);
    assert.equal(revoked.outcome, 'success');
    assert.equal(revoked.clientId, 'post-client');
    assert.equal(revoked.tokenKind, 'access_token');
    assert.deepEqual(revoked.actor, { type: 'client', id: 'post-client' });
  });

  it('records sign-in failure and success, consent, the code flow tokens and their refresh', async () => {
    const browser = new TestBrowser();
    const page = await browser.follow(
      await browser.get(
        authorizeUrl(server.url, { client_id: 'calendar-app', response_type: 'code', redirect_uri: CALLBACK, scope: 'openid read:calendars', state: 's1' }),
      ),
      server.url,
    );
    const wrongPassword = 'wrong-password-for-alice';
    keep(wrongPassword);
    assert.equal((await submitSignIn(browser, page, 'alice', wrongPassword)).status, 401);
    const failed = await latest('signin.failed');
    assert.equal(failed.outcome, 'failure');
    assert.equal(failed.reason, 'wrong_password');
    assert.equal(failed.subject, aliceId);
    assert.equal(failed.details?.username, 'alice');
    assert.equal(failed.clientId, 'calendar-app');
    await submitSignIn(browser, page, 'nobody-here', wrongPassword);
    assert.equal((await latest('signin.failed', (r) => r.details?.username === 'nobody-here')).reason, 'unknown_user');

    const params = await authorize(browser, server.url, {
      client_id: 'calendar-app',
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid read:calendars',
      state: 's2',
    });
    keep(params.code);
    const signedIn = await latest('signin.succeeded');
    assert.deepEqual(signedIn.actor, { type: 'user', id: aliceId });
    assert.equal(signedIn.details?.username, 'alice');
    const consent = await latest('consent.granted');
    assert.equal(consent.outcome, 'success');
    assert.equal(consent.subject, aliceId);
    assert.equal(consent.clientId, 'calendar-app');
    assert.deepEqual(consent.scopes, ['openid', 'read:calendars']);

    const tokens = await server.post(
      '/token',
      { grant_type: 'authorization_code', code: params.code!, redirect_uri: CALLBACK },
      basic('calendar-app', SECRETS.calendar),
    );
    assert.equal(tokens.status, 200);
    keep(tokens.body.access_token, tokens.body.refresh_token, tokens.body.id_token);
    await server.engine.audit.flush();
    const { events } = await server.engine.audit.query({ type: 'token.issued', clientId: 'calendar-app' });
    assert.deepEqual(events.map((e) => e.tokenKind).sort(), ['access_token', 'id_token', 'refresh_token']);
    for (const e of events) {
      assert.equal(e.subject, aliceId);
      assert.equal(e.details?.grantType, 'authorization_code');
    }
    assert.equal(events.find((e) => e.tokenKind === 'access_token')?.tokenId, claimsOf(tokens.body.access_token as string).jti);

    const refreshed = await server.post(
      '/token',
      { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token as string },
      basic('calendar-app', SECRETS.calendar),
    );
    assert.equal(refreshed.status, 200);
    keep(refreshed.body.access_token, refreshed.body.refresh_token, refreshed.body.id_token);
    const renewal = await latest('token.refreshed', (r) => r.tokenKind === 'refresh_token');
    assert.equal(renewal.subject, aliceId);
    assert.equal(renewal.details?.refreshedTokenId, events.find((e) => e.tokenKind === 'refresh_token')?.tokenId);

    // Reuse of the spent refresh token revokes the family, and says so.
    const reuse = await server.post(
      '/token',
      { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token as string },
      basic('calendar-app', SECRETS.calendar),
    );
    assert.equal(reuse.status, 400);
    const failedRefresh = await latest('token.refreshed', (r) => r.outcome === 'failure');
    assert.match(failedRefresh.reason!, /^invalid_grant/);

    const result = await server.engine.revokeConsent(aliceId, 'calendar-app', { type: 'admin', id: 'root' });
    assert.equal(result.consent, true);
    const revoked = await latest('consent.revoked');
    assert.equal(revoked.subject, aliceId);
    assert.equal(revoked.clientId, 'calendar-app');
    assert.deepEqual(revoked.actor, { type: 'admin', id: 'root' });
  });

  it('records denied consent as a failed consent.granted', async () => {
    const browser = new TestBrowser();
    const params = await authorize(
      browser,
      server.url,
      { client_id: 'calendar-app', response_type: 'code', redirect_uri: CALLBACK, scope: 'openid read:calendars', state: 's3' },
      { consent: 'deny' },
    );
    assert.equal(params.error, 'access_denied', JSON.stringify(params));
    const denied = await latest('consent.granted', (r) => r.outcome === 'failure');
    assert.match(denied.reason!, /^access_denied/);
  });

  it('records personal access tokens issued, exchanged and revoked, and revoke-everything', async () => {
    const actor = { type: 'admin' as const, id: 'cli:test' };
    const pat = await server.engine.credentials.createPersonalAccessToken(
      aliceId,
      { name: 'ci', api: ORGANIZER, scopes: ['read:calendars'], expiresIn: 3600 },
      actor,
    );
    keep(pat.token);
    const issued = await latest('token.issued', (r) => r.tokenKind === 'personal_access_token');
    assert.equal(issued.tokenId, pat.summary.id);
    assert.equal(issued.subject, aliceId);
    assert.equal(issued.api, ORGANIZER);
    assert.deepEqual(issued.scopes, ['read:calendars']);
    assert.deepEqual(issued.actor, actor);
    assert.equal(issued.details?.name, 'ci');

    const exchanged = await server.post(
      '/token',
      { grant_type: EXCHANGE, subject_token: pat.token, subject_token_type: ACCESS },
      basic('exchanger', 'exchanger-secret-0123456789'),
    );
    assert.equal(exchanged.status, 200);
    keep(exchanged.body.access_token);
    const exchange = await latest('token.exchanged');
    assert.equal(exchange.clientId, 'exchanger');
    assert.equal(exchange.subject, aliceId);
    assert.equal(exchange.tokenKind, 'access_token');
    assert.equal(exchange.details?.subjectTokenKind, 'personal_access_token');
    assert.equal(exchange.details?.subjectTokenId, pat.summary.id);

    const userToken = await server.engine.credentials.regenerateUserToken(aliceId, actor);
    keep(userToken.token);
    assert.equal(await server.engine.credentials.revoke(pat.summary.id, actor), true);
    const revoked = await latest('token.revoked', (r) => r.tokenId === pat.summary.id);
    assert.equal(revoked.tokenKind, 'personal_access_token');
    assert.deepEqual(revoked.actor, actor);

    await server.engine.revokeEverything(aliceId, actor);
    const everything = await latest('token.revoked', (r) => r.details?.everything === true);
    assert.equal(everything.subject, aliceId);
  });

  it('records key rotation and management changes with a diff that holds no secret', async () => {
    const rotated = await server.engine.rotateKeys(['ES256'], { type: 'admin', id: 'cli:test' });
    const rotation = await latest('key.rotated');
    assert.deepEqual(rotation.details, { alg: 'ES256', current: rotated[0]!.current, next: rotated[0]!.next });

    const newSecret = 'basic-client-rotated-secret-0123';
    const newPassword = 'alice-new-password-456';
    keep(newSecret, newPassword);
    const apis = await server.engine.store.listApis();
    const roles = (await server.engine.store.listRoles()).map((r) => r.name);
    const before = await server.engine.store.getClient('basic-client');
    const config = validateConfig(
      {
        clients: [
          {
            clientId: 'basic-client',
            secrets: [SECRETS.basic, newSecret],
            api: ORGANIZER,
            scopes: ['read:calendars', 'write:calendars'],
            permissions: { [MAPPERS]: ['geocode'] },
          },
        ],
        users: [{ username: 'alice', name: 'Alice L.', email: 'alice@example.test', emailVerified: true, password: newPassword, roles: ['calendar-reader'] }],
      },
      'change',
      { apis, roles },
    );
    await server.engine.apply(config, { type: 'admin', id: 'root' });
    await server.engine.audit.flush();
    const { events } = await server.engine.audit.query({ type: 'management.changed', actorId: 'root' });
    const client = events.find((e) => e.details?.kind === 'client');
    const user = events.find((e) => e.details?.kind === 'user');
    assert.equal(client?.details?.id, 'basic-client');
    assert.equal(client?.details?.action, 'updated');
    const secretsDiff = (client!.details!.diff as Record<string, { before: unknown[]; after: unknown[] }>).secrets!;
    assert.equal(secretsDiff.before.length, 1);
    assert.equal(secretsDiff.after.length, 2);
    const userDiff = user?.details?.diff as Record<string, unknown>;
    assert.deepEqual(userDiff.name, { before: 'Alice Liddell', after: 'Alice L.' });
    assert.deepEqual(userDiff.password, { before: 'set', after: 'changed' });
    // Hashes are not secrets in clear, but they must not be in the log either.
    const after = await server.engine.store.getClient('basic-client');
    const alice = await server.engine.store.getUserByUsername('alice');
    for (const s of [...before!.secrets, ...after!.secrets]) keep(s.hash);
    keep(alice!.passwordHash);

    await server.engine.apply(config, { type: 'admin', id: 'root' });
    await server.engine.audit.flush();
    assert.equal(
      (await server.engine.audit.query({ type: 'management.changed', actorId: 'root' })).events.length,
      events.length,
      'applying again changes nothing',
    );
  });

  it('records API calls reported by a resource server, without query strings', async () => {
    const calls = [
      {
        method: 'GET',
        path: '/calendars/work?access_token=leaky-token-in-a-query',
        status: 200,
        tokenId: 'jti-1',
        subject: aliceId,
        clientId: 'calendar-app',
        scopes: 'read:calendars',
        durationMs: 3,
      },
      { method: 'DELETE', path: '/calendars/work', status: 403, subject: aliceId },
    ];
    keep('leaky-token-in-a-query');
    const ok = await server.post('/audit/api-calls', { calls: JSON.stringify(calls) }, basic('introspector', SECRETS.introspector));
    assert.equal(ok.status, 202, JSON.stringify(ok.body));
    const success = await latest('api.called', (r) => r.outcome === 'success');
    assert.deepEqual(success.actor, { type: 'client', id: 'introspector' });
    assert.equal(success.tokenId, 'jti-1');
    assert.deepEqual(success.scopes, ['read:calendars']);
    assert.deepEqual(success.details, { method: 'GET', path: '/calendars/work', status: 200, durationMs: 3 });
    const refused = await latest('api.called', (r) => r.outcome === 'failure');
    assert.equal(refused.reason, 'HTTP 403');
    const notResourceServer = await server.post('/audit/api-calls', { calls: JSON.stringify(calls) }, basic('basic-client', SECRETS.basic));
    assert.equal(notResourceServer.status, 400);
    assert.equal(notResourceServer.body.error, 'unauthorized_client');
    const malformed = await server.post('/audit/api-calls', { calls: '[{"method":"GET"}]' }, basic('introspector', SECRETS.introspector));
    assert.equal(malformed.body.error, 'invalid_request');
  });

  it('wrote every event type, kept the chain intact, and leaked no secret into the log or the logs', async () => {
    const records = await all();
    const types = new Set(records.map((r) => r.type));
    for (const type of [
      'token.issued',
      'token.refreshed',
      'token.exchanged',
      'token.revoked',
      'token.introspection_failed',
      'client.authentication_failed',
      'signin.succeeded',
      'signin.failed',
      'consent.granted',
      'consent.revoked',
      'key.rotated',
      'management.changed',
      'api.called',
    ] as const) {
      assert.ok(types.has(type), `no ${type} event`);
    }
    assert.equal((await server.engine.audit.verify()).ok, true);
    const audit = JSON.stringify(records);
    const logText = logs.join('\n');
    assert.ok(secrets.size > 20, `collected ${secrets.size} secrets`);
    for (const secret of secrets) {
      assert.ok(!audit.includes(secret), `an audit record contains ${secret.slice(0, 10)}...`);
      assert.ok(!logText.includes(secret), `a log line contains ${secret.slice(0, 10)}...`);
    }
  });
});
