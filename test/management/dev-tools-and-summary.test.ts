/**
 * The management routes behind the console's developer tools and charts:
 * POST /dev/tokens, POST /dev/inspect and GET /audit-events/summary. Each needs its
 * one scope (403 naming it otherwise), rejects bad input with field-level details, is
 * audited like other management changes, and answers what the OpenAPI document says.
 * Time is a FrozenClock, moved by hand.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { MANAGEMENT_SCOPES, managementAudience } from '../../src/management/management-api.js';
import { makeFixture, MAPPERS, ORGANIZER, SECRETS } from '../support/fixture.js';
import { OpenApiValidator } from '../support/openapi-validator.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

const START = 1_800_000_000; // 2027-01-15T08:00:00Z

describe('developer tools and audit summary routes', () => {
  const clock = new FrozenClock(START);
  let server: TestServer;
  let validator: OpenApiValidator;
  let admin: string;
  let readOnly: string;
  let noAudit: string;

  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config, clock });
    const rootId = (await server.engine.store.getUserByUsername('root'))!.id;
    const pat = async (scopes: string[]) =>
      (await server.engine.credentials.createPersonalAccessToken(rootId, { name: 't', api: managementAudience(server.url), scopes })).token;
    admin = await pat([...MANAGEMENT_SCOPES]);
    readOnly = await pat(MANAGEMENT_SCOPES.filter((s) => s.startsWith('read:')));
    noAudit = await pat(MANAGEMENT_SCOPES.filter((s) => s !== 'read:audit' && s !== 'read:dev_tools'));
    validator = new OpenApiValidator((await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as ConstructorParameters<typeof OpenApiValidator>[0]);
  });
  after(() => server.close());

  async function call(method: string, path: string, options: { token?: string; body?: unknown; query?: Record<string, string> } = {}) {
    const query = options.query ? `?${new URLSearchParams(options.query)}` : '';
    const response = await fetch(`${server.url}/api/v1${path}${query}`, {
      method,
      headers: { authorization: `Bearer ${options.token ?? admin}`, ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    const body = text ? (JSON.parse(text) as Record<string, any>) : undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
    validator.check(method, path, response.status, body);
    return { status: response.status, body: body!, headers: response.headers };
  }

  describe('POST /dev/tokens', () => {
    it('needs write:dev_tools', async () => {
      const refused = await call('POST', '/dev/tokens', { token: readOnly, body: { client: 'basic-client' } });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error, 'insufficient_scope');
      assert.match(refused.headers.get('www-authenticate') ?? '', /scope="write:dev_tools"/);
    });

    it('mints for a client, a user and an API alone, with the checks of the real flows', async () => {
      const m2m = await call('POST', '/dev/tokens', { body: { client: 'basic-client', scopes: ['read:calendars'], ttl: 300 } });
      assert.equal(m2m.status, 201);
      assert.deepEqual(
        [m2m.body.api, m2m.body.subject, m2m.body.clientId, m2m.body.format, m2m.body.scopes, m2m.body.expiresAt],
        [ORGANIZER, 'basic-client', 'basic-client', 'jwt', ['read:calendars'], START + 300],
      );
      assert.match(m2m.body.how, /client basic-client \(client_credentials\)/);

      const forAlice = await call('POST', '/dev/tokens', { body: { user: 'alice', api: ORGANIZER } });
      assert.equal(forAlice.status, 201);
      assert.deepEqual([forAlice.body.scopes, forAlice.body.clientId], [['read:calendars'], 'tessera-dev-tools']);

      const alone = await call('POST', '/dev/tokens', { body: { api: MAPPERS, subject: 'tester' } });
      assert.equal(alone.status, 201);
      assert.equal(alone.body.format, 'reference');
      assert.match(alone.body.token, /^tsr_at_/);
      const introspected = await server.post('/introspect', { token: alone.body.token }, basic('introspector', SECRETS.introspector));
      assert.equal(introspected.body.active, true);
      assert.equal(introspected.body.sub, 'tester');
    });

    it('takes ttl in seconds or as a duration like the CLI ("5m")', async () => {
      const minted = await call('POST', '/dev/tokens', { body: { client: 'basic-client', scopes: ['read:calendars'], ttl: '5m' } });
      assert.equal(minted.status, 201);
      assert.equal(minted.body.expiresAt, START + 300);
      const garbled = await call('POST', '/dev/tokens', { body: { client: 'basic-client', ttl: 'soon' } });
      assert.equal(garbled.status, 400);
      assert.equal(garbled.body.details[0].field, 'body.ttl');
    });

    it('answers bad input with the fields at fault, never a 500', async () => {
      const nobody = await call('POST', '/dev/tokens', { body: {} });
      assert.equal(nobody.status, 400);
      assert.equal(nobody.body.details[0].field, 'body.api');
      const beyondRoles = await call('POST', '/dev/tokens', { body: { user: 'alice', api: ORGANIZER, scopes: ['write:calendars'] } });
      assert.equal(beyondRoles.status, 400);
      assert.equal(beyondRoles.body.details[0].field, 'body.scope');
      assert.match(beyondRoles.body.error_description, /not within the roles of alice/);
      const tooLong = await call('POST', '/dev/tokens', { body: { client: 'basic-client', ttl: 86_400 } });
      assert.equal(tooLong.status, 400);
      assert.equal(tooLong.body.details[0].field, 'body.ttl');
      const unknown = await call('POST', '/dev/tokens', { body: { client: 'no-such-client' } });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.details[0].field, 'body.client');
      const noApi = await call('POST', '/dev/tokens', { body: { client: 'basic-client', api: 'https://nowhere.test' } });
      assert.equal(noApi.status, 400);
      assert.equal(noApi.body.details[0].field, 'body.api');
      const inactive = await call('POST', '/dev/tokens', { body: { user: 'bob', api: ORGANIZER } });
      assert.equal(inactive.status, 400);
      const extra = await call('POST', '/dev/tokens', { body: { client: 'basic-client', secret: 'x' } });
      assert.equal(extra.status, 400);
    });

    it('is audited: token.issued and management.changed, with the caller as actor and never the token', async () => {
      const minted = await call('POST', '/dev/tokens', { body: { client: 'post-client' } });
      await server.engine.audit.flush();
      const issued = await server.engine.audit.query({ type: 'token.issued', clientId: 'post-client' });
      assert.equal(issued.events[0]?.tokenId, minted.body.id);
      const changed = (await server.engine.audit.query({ type: 'management.changed' })).events[0]!;
      assert.equal((changed.details as { kind: string }).kind, 'test_token');
      assert.equal(changed.actor?.type, 'user');
      assert.ok(!JSON.stringify(changed).includes(minted.body.token));
    });
  });

  describe('POST /dev/inspect', () => {
    it('needs read:dev_tools', async () => {
      const refused = await call('POST', '/dev/inspect', { token: noAudit, body: { token: 'x' } });
      assert.equal(refused.status, 403);
      assert.match(refused.body.error_description, /read:dev_tools/);
    });

    it('says why a token is or is not valid', async () => {
      const minted = await call('POST', '/dev/tokens', { body: { client: 'basic-client', ttl: 60 } });
      const valid = await call('POST', '/dev/inspect', { token: readOnly, body: { token: `Bearer ${minted.body.token}` } });
      assert.equal(valid.status, 200);
      assert.equal(valid.body.valid, true);
      assert.equal(valid.body.claims.sub, 'basic-client');

      clock.advance(61);
      const expired = await call('POST', '/dev/inspect', { body: { token: minted.body.token } });
      assert.equal(expired.body.valid, false);
      assert.match(expired.body.reasons.join(' '), /expired at/);

      const pat = await call('POST', '/dev/tokens', { body: { api: MAPPERS } });
      const changed = pat.body.token.endsWith('x') ? 'y' : 'x'; // one character off, whatever the last one was
      const mistyped = await call('POST', '/dev/inspect', { body: { token: `${pat.body.token.slice(0, -1)}${changed}` } });
      assert.equal(mistyped.body.valid, false);
      assert.match(mistyped.body.reasons[0], /wrong checksum/);

      const garbage = await call('POST', '/dev/inspect', { body: { token: 'hello' } });
      assert.equal(garbage.body.valid, false);
      assert.equal(garbage.body.format, 'unknown');
      assert.equal((await call('POST', '/dev/inspect', { body: { token: '' } })).status, 400);
    });
  });

  describe('GET /audit-events/summary', () => {
    it('needs read:audit', async () => {
      const refused = await call('GET', '/audit-events/summary', { token: noAudit });
      assert.equal(refused.status, 403);
      assert.match(refused.body.error_description, /read:audit/);
    });

    it('counts tokens issued, failures and sign-ins per hour, from the audit log', async () => {
      const from = new Date(clock.now() * 1000).toISOString();
      const hour0 = Math.floor((clock.now() * 1000) / 3_600_000) * 3_600_000;
      for (let i = 0; i < 3; i++)
        assert.equal((await server.post('/token', { grant_type: 'client_credentials' }, basic('basic-client', SECRETS.basic))).status, 200);
      assert.equal((await server.post('/token', { grant_type: 'client_credentials' }, basic('basic-client', 'wrong-secret-0123456789'))).status, 401);
      clock.advance(2 * 3600);
      assert.equal((await server.post('/token', { grant_type: 'client_credentials' }, basic('basic-client', SECRETS.basic))).status, 200);
      await server.engine.audit.flush();
      const to = new Date(clock.now() * 1000 + 1000).toISOString();

      const summary = await call('GET', '/audit-events/summary', { query: { from, to, bucket: 'hour' } });
      assert.equal(summary.status, 200);
      assert.equal(summary.body.from, hour0);
      assert.equal(summary.body.buckets.length, 3);
      const [first, second, third] = summary.body.buckets as { start: number; tokensIssued: number; failures: number }[];
      assert.deepEqual([first!.start, second!.start, third!.start], [hour0, hour0 + 3_600_000, hour0 + 7_200_000]);
      assert.ok(first!.tokensIssued >= 3, JSON.stringify(first));
      assert.ok(first!.failures >= 1);
      assert.deepEqual([second!.tokensIssued, second!.failures], [0, 0]);
      assert.equal(third!.tokensIssued, 1);
      assert.equal(summary.body.totals.tokensIssued, first!.tokensIssued + 1);
      assert.equal(summary.body.complete, true);

      const byDay = await call('GET', '/audit-events/summary', { query: { bucket: 'day' } });
      assert.equal(byDay.body.buckets.length, 30);
      assert.equal(byDay.body.buckets.at(-1).tokensIssued, byDay.body.totals.tokensIssued);
    });

    it('refuses an empty or too long range', async () => {
      const backwards = await call('GET', '/audit-events/summary', { query: { from: '2027-01-02T00:00:00Z', to: '2027-01-01T00:00:00Z' } });
      assert.equal(backwards.status, 400);
      assert.equal(backwards.body.details[0].field, 'query.from');
      const tooLong = await call('GET', '/audit-events/summary', { query: { from: '2020-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z', bucket: 'hour' } });
      assert.equal(tooLong.status, 400);
      const notADate = await call('GET', '/audit-events/summary', { query: { from: 'yesterday' } });
      assert.equal(notADate.status, 400);
      assert.equal(notADate.body.details[0].field, 'query.from');
    });
  });
});
