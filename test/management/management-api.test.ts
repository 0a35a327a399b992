/**
 * The management API, black-box over HTTP: every resource's routes, least-privilege
 * authorization (401 vs 403), field-level errors, pagination, optimistic concurrency,
 * secrets shown only once; and every response checked against the served OpenAPI document.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { discoverOAuthProtectedResourceMetadata, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import { validateConfig } from '../../src/core/config/load.js';
import { MANAGEMENT_SCOPES, managementAudience } from '../../src/management/management-api.js';
import { makeFixture, ORGANIZER, SECRETS } from '../support/fixture.js';
import { OpenApiValidator } from '../support/openapi-validator.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

interface Call {
  token?: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

describe('management API', () => {
  let server: TestServer;
  let validator: OpenApiValidator;
  let admin: string;
  let reader: string;
  let rootId: string;
  let audience: string;

  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config });
    audience = managementAudience(server.url);
    rootId = (await server.engine.store.getUserByUsername('root'))!.id;
    const pat = (scopes: string[]) => server.engine.credentials.createPersonalAccessToken(rootId, { name: 'test', api: audience, scopes });
    admin = (await pat([...MANAGEMENT_SCOPES])).token;
    reader = (await pat(MANAGEMENT_SCOPES.filter((s) => s.startsWith('read:')))).token;
    const document = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
    validator = new OpenApiValidator(document as ConstructorParameters<typeof OpenApiValidator>[0]);
  });
  after(() => server.close());

  async function call(method: string, template: string, options: Call = {}) {
    let path = template;
    for (const [name, value] of Object.entries(options.params ?? {})) path = path.replace(`{${name}}`, encodeURIComponent(value));
    const query = options.query ? `?${new URLSearchParams(options.query)}` : '';
    const response = await fetch(`${server.url}/api/v1${path}${query}`, {
      method,
      headers: {
        ...(options.token !== undefined ? { authorization: `Bearer ${options.token}` } : { authorization: `Bearer ${admin}` }),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    const body = text ? (JSON.parse(text) as Record<string, any>) : undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
    validator.check(method, template, response.status, body);
    return { status: response.status, headers: response.headers, body: body! };
  }

  it('serves its OpenAPI 3.1 document, generated from the routes', async () => {
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { security: { bearer: string[] }[] }>>;
    };
    assert.equal(doc.openapi, '3.1.0');
    for (const path of ['/apis', '/clients/{clientId}/secrets', '/users/{id}/revoke-everything', '/tokens', '/keys/rotate']) assert.ok(doc.paths[path], path);
    for (const operations of Object.values(doc.paths)) {
      for (const op of Object.values(operations)) assert.equal(op.security[0]!.bearer.length, 1, 'each operation needs exactly one scope');
    }
  });

  it('publishes its protected resource metadata (RFC 9728), found by a real client from its 401', async () => {
    const refused = await fetch(`${server.url}/api/v1/clients`);
    const { resourceMetadataUrl } = extractWWWAuthenticateParams(refused);
    const metadata = await discoverOAuthProtectedResourceMetadata(`${server.url}/api/v1`, { resourceMetadataUrl: resourceMetadataUrl! });
    assert.equal(metadata.resource, `${server.url}/api/v1`);
    assert.deepEqual(metadata.authorization_servers, [server.url]);
    assert.ok(metadata.scopes_supported?.includes('read:clients'));
    assert.deepEqual(metadata.bearer_methods_supported, ['header']);
    const direct = await fetch(`${server.url}/.well-known/oauth-protected-resource/api/v1`);
    assert.equal(direct.headers.get('access-control-allow-origin'), '*');
    assert.match(direct.headers.get('cache-control') ?? '', /max-age=300/);
    const insufficient = await call('POST', '/apis', { token: reader, body: { identifier: 'https://x.test', name: 'X' } });
    assert.match(insufficient.headers.get('www-authenticate') ?? '', /resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/api\/v1"$/);
  });

  describe('access control', () => {
    it('answers 401 without a token, with a bad one, and with a token for another API', async () => {
      const none = await fetch(`${server.url}/api/v1/clients`);
      assert.equal(none.status, 401);
      assert.equal(
        none.headers.get('www-authenticate'),
        `Bearer realm="tessera", resource_metadata="${server.url}/.well-known/oauth-protected-resource/api/v1"`,
      );
      assert.equal((await call('GET', '/clients', { token: 'tsr_pat_bogus' })).status, 401);
      const other = await server.post('/token', { grant_type: 'client_credentials' }, basic('basic-client', SECRETS.basic));
      const wrongAudience = await call('GET', '/clients', { token: other.body.access_token as string });
      assert.equal(wrongAudience.status, 401);
      assert.match(wrongAudience.body.error_description, /not .*\/api\/v1/);
    });

    it('answers 403 insufficient_scope when the token lacks the one scope the route needs', async () => {
      const res = await call('POST', '/apis', { token: reader, body: { identifier: 'https://x.test', name: 'X' } });
      assert.equal(res.status, 403);
      assert.equal(res.body.error, 'insufficient_scope');
      assert.match(res.headers.get('www-authenticate') ?? '', /error="insufficient_scope".*scope="write:apis"/);
      assert.equal((await call('GET', '/apis', { token: reader })).status, 200, 'the same token can read');
    });

    it("limits a user's token to what the user's roles allow now", async () => {
      const apis = await server.engine.store.listApis();
      const roles = (await server.engine.store.listRoles()).map((r) => r.name);
      await server.engine.apply(
        validateConfig(
          {
            roles: [{ name: 'client-reader', permissions: { [audience]: ['read:clients'] } }],
            users: [{ username: 'carol', password: 'carol-password-1', roles: ['client-reader'] }],
          },
          'carol',
          { apis, roles },
        ),
      );
      const carol = (await server.engine.store.getUserByUsername('carol'))!;
      const { token } = await server.engine.credentials.createPersonalAccessToken(carol.id, { name: 'c', api: audience, scopes: ['read:clients'] });
      assert.equal((await call('GET', '/clients', { token })).status, 200);
      assert.equal((await call('GET', '/users', { token })).status, 403);
      await server.engine.store.upsertUser({ ...carol, roles: [] });
      assert.equal((await call('GET', '/clients', { token })).status, 403, 'losing the role removes the scope at once');
    });

    it('lets a machine-to-machine client with management permissions call it', async () => {
      const created = await call('POST', '/clients', {
        body: { clientId: 'automation', grantTypes: ['client_credentials'], permissions: { [audience]: ['read:users'] } },
      });
      assert.equal(created.status, 201);
      const token = await server.post('/token', { grant_type: 'client_credentials', resource: audience }, basic('automation', created.body.secret.secret));
      assert.equal(token.status, 200, JSON.stringify(token.body));
      assert.equal((await call('GET', '/users', { token: token.body.access_token as string })).status, 200);
      assert.equal((await call('GET', '/clients', { token: token.body.access_token as string })).status, 403);
    });
  });

  describe('APIs', () => {
    it('creates, reads, lists with cursors, updates with If-Match, and deletes', async () => {
      for (const n of [1, 2, 3]) {
        const res = await call('POST', '/apis', { body: { identifier: `https://page${n}.test`, name: `Page ${n}`, scopes: ['read'] } });
        assert.equal(res.status, 201);
        assert.ok(res.headers.get('etag'));
      }
      assert.equal((await call('POST', '/apis', { body: { identifier: 'https://page1.test', name: 'again' } })).status, 409);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await call('GET', '/apis', { query: { limit: '2', ...(cursor ? { cursor } : {}) } });
        assert.ok(page.body.items.length <= 2);
        seen.push(...page.body.items.map((a: { identifier: string }) => a.identifier));
        cursor = page.body.nextCursor;
      } while (cursor);
      assert.equal(new Set(seen).size, seen.length, 'no item twice');
      assert.ok(['https://page1.test', 'https://page2.test', 'https://page3.test'].every((id) => seen.includes(id)));

      const read = await call('GET', '/apis/{identifier}', { params: { identifier: 'https://page1.test' } });
      const etag = read.headers.get('etag')!;
      const updated = await call('PUT', '/apis/{identifier}', {
        params: { identifier: 'https://page1.test' },
        body: { ...read.body, name: 'Renamed' },
        headers: { 'if-match': etag },
      });
      assert.equal(updated.status, 200);
      const stale = await call('PUT', '/apis/{identifier}', {
        params: { identifier: 'https://page1.test' },
        body: { ...read.body, name: 'Lost update' },
        headers: { 'if-match': etag },
      });
      assert.equal(stale.status, 412);
      assert.equal((await call('DELETE', '/apis/{identifier}', { params: { identifier: 'https://page1.test' } })).status, 204);
      assert.equal((await call('GET', '/apis/{identifier}', { params: { identifier: 'https://page1.test' } })).status, 404);
      assert.equal((await call('DELETE', '/apis/{identifier}', { params: { identifier: audience } })).status, 409, 'not the management API');
    });

    it('lets exactly one of two writers with the same ETag win; the other gets 412, also when the change lands after its check', async () => {
      const path = '/roles/{name}';
      const params = { name: 'race-role' };
      assert.equal((await call('POST', '/roles', { body: { name: 'race-role', permissions: {} } })).status, 201);
      const read = await call('GET', path, { params });
      const etag = read.headers.get('etag')!;
      const writers = ['first', 'second'].map((description) =>
        call('PUT', path, { params, body: { ...read.body, description }, headers: { 'if-match': etag } }),
      );
      const statuses = (await Promise.all(writers)).map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, 412]);

      // Another writer changes the role between this request's read (its ETag matches)
      // and its write: the write is a compare-and-set on what was read, so it is refused.
      const current = await call('GET', path, { params });
      const store = server.engine.store;
      const getRole = store.getRole;
      store.getRole = async (name) => {
        const role = await getRole.call(store, name);
        if (name !== 'race-role') return role;
        store.getRole = getRole;
        await store.upsertRole({ ...role!, description: 'the other writer' });
        return role;
      };
      const lost = await call('PUT', path, { params, body: { ...current.body, description: 'mine' }, headers: { 'if-match': current.headers.get('etag')! } });
      assert.equal(lost.status, 412);
      assert.equal(lost.body.error, 'precondition_failed');
      assert.equal((await call('GET', path, { params })).body.description, 'the other writer', 'nothing overwritten');

      const stale = await call('DELETE', path, { params, headers: { 'if-match': etag } });
      assert.equal(stale.status, 412, 'a delete with If-Match is conditional too');
      const fresh = (await call('GET', path, { params })).headers.get('etag')!;
      assert.equal((await call('DELETE', path, { params, headers: { 'if-match': fresh } })).status, 204);
    });

    it('renames a user in place under If-Match, keeping their id', async () => {
      const created = await call('POST', '/users', { body: { username: 'cas-user', roles: [] } });
      const read = await call('GET', '/users/{id}', { params: { id: created.body.id } });
      const renamed = await call('PUT', '/users/{id}', {
        params: { id: created.body.id },
        body: { username: 'cas-user-2', active: true, roles: [] },
        headers: { 'if-match': read.headers.get('etag')! },
      });
      assert.equal(renamed.status, 200);
      assert.equal(renamed.body.id, created.body.id);
      assert.equal((await server.engine.store.getUserByUsername('cas-user'))?.id, undefined);
      assert.equal(
        (await call('DELETE', '/users/{id}', { params: { id: created.body.id }, headers: { 'if-match': renamed.headers.get('etag')! } })).status,
        204,
      );
    });

    it('renames a user in place without If-Match too, keeping what hangs off their id', async () => {
      const created = await call('POST', '/users', { body: { username: 'renamed-plain', roles: [] } });
      const id = created.body.id as string;
      await server.engine.store.replaceRecoveryCodes(id, ['a'.repeat(64), 'b'.repeat(64)], 1);
      const renamed = await call('PUT', '/users/{id}', { params: { id }, body: { username: 'renamed-plain-2', active: true, roles: [] } });
      assert.equal(renamed.status, 200);
      assert.equal(renamed.body.id, id);
      assert.equal((await server.engine.store.getUserByUsername('renamed-plain-2'))?.id, id);
      assert.equal((await server.engine.store.getUserByUsername('renamed-plain'))?.id, undefined);
      assert.deepEqual(await server.engine.store.countRecoveryCodes(id), { total: 2, remaining: 2 }, 'a rename deletes nothing of the user');
    });

    it('rejects bad input with field-level details', async () => {
      const res = await call('POST', '/apis', { body: { identifier: 'not-a-uri', name: '', format: 'paper', ttl: 'soon' } });
      assert.equal(res.status, 400);
      const fields = res.body.details.map((d: { field: string }) => d.field).sort();
      assert.deepEqual(fields, ['body.format', 'body.identifier', 'body.name', 'body.ttl']);
      const notJson = await call('POST', '/apis', { body: '{nope' });
      assert.equal(notJson.status, 400);
      assert.deepEqual(notJson.body.details, [{ field: 'body', message: 'not valid JSON' }]);
      const unknownQuery = await call('GET', '/apis', { query: { limit: '5000' } });
      assert.equal(unknownQuery.body.details[0].field, 'query.limit');
    });
  });

  describe('clients', () => {
    it('show a generated secret once, and rotate secrets without downtime', async () => {
      const created = await call('POST', '/clients', {
        body: { clientId: 'reporting', name: 'Reporting', grantTypes: ['client_credentials'], api: ORGANIZER, scopes: ['read:calendars'] },
      });
      assert.equal(created.status, 201);
      const first = created.body.secret.secret as string;
      const getToken = (secret: string) => server.post('/token', { grant_type: 'client_credentials' }, basic('reporting', secret));
      assert.equal((await getToken(first)).status, 200);
      const read = await call('GET', '/clients/{clientId}', { params: { clientId: 'reporting' } });
      assert.ok(!JSON.stringify(read.body).includes(first), 'never shown again');
      const second = await call('POST', '/clients/{clientId}/secrets', { params: { clientId: 'reporting' } });
      assert.equal(second.status, 201);
      assert.equal((await getToken(first)).status, 200, 'the old secret still works');
      assert.equal((await getToken(second.body.secret)).status, 200);
      const oldId = read.body.secrets[0].id as string;
      assert.equal((await call('DELETE', '/clients/{clientId}/secrets/{secretId}', { params: { clientId: 'reporting', secretId: oldId } })).status, 204);
      assert.equal((await getToken(first)).status, 401, 'removed');
      const last = await call('DELETE', '/clients/{clientId}/secrets/{secretId}', { params: { clientId: 'reporting', secretId: second.body.id } });
      assert.equal(last.status, 409, 'the last secret stays');
    });

    it('validate client rules and filter lists', async () => {
      const bad = await call('POST', '/clients', { body: { clientId: 'spa', type: 'public', grantTypes: ['authorization_code'] } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.details[0].field, 'body.redirectUris');
      const list = await call('GET', '/clients', { query: { api: ORGANIZER, limit: '200' } });
      assert.ok(list.body.items.every((c: { api?: string }) => c.api === ORGANIZER));
      assert.equal((await call('GET', '/clients/{clientId}', { params: { clientId: 'missing' } })).status, 404);
    });
  });

  describe('users, roles, service accounts and tokens', () => {
    it('manage a user through its life cycle', async () => {
      const created = await call('POST', '/users', {
        body: { username: 'dave', email: 'dave@example.test', password: 'dave-password-1', roles: ['calendar-reader'] },
      });
      assert.equal(created.status, 201);
      assert.equal(created.body.hasPassword, true);
      assert.equal(created.body.passwordHash, undefined);
      const id = created.body.id as string;
      const badEmail = await call('POST', '/users', { body: { username: 'eve', email: 'not-an-email' } });
      assert.equal(badEmail.body.details[0].field, 'body.email');
      const badRole = await call('POST', '/users', { body: { username: 'eve', roles: ['nope'] } });
      assert.equal(badRole.body.details[0].field, 'body.roles.0');

      const pat = await call('POST', '/tokens', {
        body: { kind: 'personal_access_token', userId: id, name: 'ci', api: ORGANIZER, scopes: ['read:calendars'] },
      });
      assert.equal(pat.status, 201);
      assert.match(pat.body.token, /^tsr_pat_/);
      const tooWide = await call('POST', '/tokens', {
        body: { kind: 'personal_access_token', userId: id, name: 'ci', api: ORGANIZER, scopes: ['write:calendars'] },
      });
      assert.equal(tooWide.status, 400);
      assert.equal(tooWide.body.details[0].field, 'body.scopes');
      const listed = await call('GET', '/tokens', { query: { userId: id } });
      assert.equal(listed.body.items.length, 1);
      assert.ok(!JSON.stringify(listed.body).includes(pat.body.token));

      const deactivated = await call('PUT', '/users/{id}', {
        params: { id },
        body: { username: 'dave', email: 'dave@example.test', roles: ['calendar-reader'], active: false },
      });
      assert.equal(deactivated.body.active, false);
      const introspect = await server.post('/introspect', { token: pat.body.token }, basic('introspector', SECRETS.introspector));
      assert.deepEqual(introspect.body, { active: false }, 'an inactive user stops their PAT');
      await call('PUT', '/users/{id}', { params: { id }, body: { username: 'dave', roles: ['calendar-reader'], active: true } });
      assert.equal((await call('POST', '/users/{id}/password', { params: { id }, body: { password: 'short' } })).status, 400);
      assert.equal((await call('POST', '/users/{id}/password', { params: { id }, body: { password: 'a-new-password-1' } })).status, 204);
      const revoked = await call('POST', '/users/{id}/revoke-everything', { params: { id } });
      assert.equal(revoked.body.revoked, 1);
      assert.equal((await call('DELETE', '/tokens/{id}', { params: { id: pat.body.summary.id } })).status, 204);
      assert.equal((await call('DELETE', '/users/{id}', { params: { id } })).status, 204);
      assert.equal((await call('GET', '/users/{id}', { params: { id } })).status, 404);
      const filtered = await call('GET', '/users', { query: { q: 'ALI' } });
      assert.deepEqual(
        filtered.body.items.map((u: { username: string }) => u.username),
        ['alice'],
      );
    });

    it('manage roles with checked permissions', async () => {
      const bad = await call('POST', '/roles', { body: { name: 'r1', permissions: { [ORGANIZER]: ['fly'] } } });
      assert.equal(bad.status, 400);
      assert.match(bad.body.details[0].field, /^body\.permissions\./);
      assert.equal((await call('POST', '/roles', { body: { name: 'r1', permissions: { [ORGANIZER]: ['read:contacts'] } } })).status, 201);
      assert.equal((await call('DELETE', '/roles/{name}', { params: { name: 'tessera-admin' } })).status, 409);
      assert.equal((await call('DELETE', '/roles/{name}', { params: { name: 'r1' } })).status, 204);
    });

    it('manage service accounts and their tokens', async () => {
      const account = await call('POST', '/service-accounts', { body: { name: 'importer', roles: ['calendar-reader'] } });
      assert.equal(account.status, 201);
      const sat = await call('POST', '/tokens', {
        body: { kind: 'service_access_token', serviceAccountId: account.body.id, name: 'imp', api: ORGANIZER, scopes: ['read:calendars'] },
      });
      assert.match(sat.body.token, /^tsr_sat_/);
      const deleted = await call('DELETE', '/service-accounts/{id}', { params: { id: account.body.id } });
      assert.equal(deleted.body.revoked, 1);
      const introspect = await server.post('/introspect', { token: sat.body.token }, basic('introspector', SECRETS.introspector));
      assert.deepEqual(introspect.body, { active: false });
    });

    it('create user and action tokens', async () => {
      const alice = (await server.engine.store.getUserByUsername('alice'))!;
      const key = await call('POST', '/tokens', { body: { kind: 'user_token', userId: alice.id } });
      assert.match(key.body.token, /^[0-9a-f]{40}$/);
      const action = await call('POST', '/tokens', { body: { kind: 'action_token', userId: alice.id, name: 'feed', endpoints: ['GET /calendars/*/events'] } });
      assert.deepEqual(action.body.summary.endpoints, ['GET /calendars/*/events']);
      const bad = await call('POST', '/tokens', { body: { kind: 'action_token', userId: alice.id, name: 'feed', endpoints: ['nope'] } });
      assert.equal(bad.body.details[0].field, 'body.endpoints[0]');
      const unknownKind = await call('POST', '/tokens', { body: { kind: 'golden_ticket' } });
      assert.equal(unknownKind.status, 400);
    });
  });

  describe('keys', () => {
    it('lists keys without private parts and rotates them', async () => {
      const before = await call('GET', '/keys');
      assert.ok(before.body.items.some((k: { status: string }) => k.status === 'next'));
      assert.ok(!JSON.stringify(before.body).includes('privateKey'));
      const rotated = await call('POST', '/keys/rotate', { body: { alg: 'ES256' } });
      assert.equal(rotated.body.rotated[0].alg, 'ES256');
      const after = await call('GET', '/keys');
      assert.ok(after.body.items.some((k: { status: string; alg: string }) => k.status === 'retired' && k.alg === 'ES256'));
    });
  });

  it('records every change as an audit event naming the actor, queryable by read:audit', async () => {
    await call('POST', '/roles', { body: { name: 'audited', permissions: {} } });
    await server.engine.audit.flush();
    const page = await call('GET', '/audit-events', { query: { type: 'management.changed', limit: '50' } });
    assert.equal(page.status, 200);
    const event = page.body.items.find((e: { details?: { kind: string; id: string } }) => e.details?.kind === 'role' && e.details.id === 'audited');
    assert.ok(event, 'the change is in the audit log');
    assert.equal(event.actor.type, 'user');
    assert.match(event.actor.id, /\(root\)$/);
    assert.equal(event.details.action, 'created');
    assert.deepEqual(event.details.diff.name, { after: 'audited' });
    const secrets = await call('POST', '/clients/{clientId}/secrets', { params: { clientId: 'basic-client' } });
    await server.engine.audit.flush();
    const all = JSON.stringify((await call('GET', '/audit-events', { query: { limit: '1000' } })).body);
    assert.ok(!all.includes(secrets.body.secret), 'no secret in the audit log');
    assert.equal(
      (
        await call('GET', '/audit-events', {
          token: (await server.engine.credentials.createPersonalAccessToken(rootId, { name: 'r', api: audience, scopes: ['read:users'] })).token,
        })
      ).status,
      403,
    );
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    const missing = await fetch(`${server.url}/api/v1/nothing`, { headers: { authorization: `Bearer ${admin}` } });
    assert.equal(missing.status, 404);
    const wrong = await fetch(`${server.url}/api/v1/keys`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'GET');
  });

  it('manages identity providers: the secret is write-only, the redirect URI is shown', async () => {
    const input = { id: 'corp', name: 'Corp', type: 'oidc', issuer: 'https://idp.corp.test', clientId: 'tessera', clientSecret: 'corp-secret-value-123' };
    const created = await call('POST', '/identity-providers', { body: input });
    assert.equal(created.status, 201);
    assert.equal(created.body.redirectUri, `${server.url}/upstream/corp/callback`);
    assert.equal(created.body.hasClientSecret, true);
    assert.doesNotMatch(JSON.stringify(created.body), /corp-secret-value/);
    assert.equal((await call('POST', '/identity-providers', { body: input })).status, 409);
    const bad = await call('POST', '/identity-providers', { body: { ...input, id: 'gh', type: 'oauth2', issuer: undefined } });
    assert.equal(bad.status, 400);
    const { clientSecret: _s, ...withoutSecret } = input;
    const updated = await call('PUT', '/identity-providers/{id}', { params: { id: 'corp' }, body: { ...withoutSecret, name: 'Corp SSO' } });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.hasClientSecret, true, 'the secret is kept');
    assert.equal(
      server.engine.providerSecrets.decrypt('corp', (await server.engine.store.getIdentityProvider('corp'))!.clientSecretEncrypted!),
      'corp-secret-value-123',
    );
    assert.equal((await call('GET', '/identity-providers', { token: reader })).body.items[0].name, 'Corp SSO');
    const user = (await server.engine.store.getUserByUsername('alice'))!;
    await server.engine.store.insertFederatedIdentity({ providerId: 'corp', subject: 'a-1', userId: user.id, createdAt: 1 });
    assert.deepEqual(
      (await call('GET', '/users/{id}/identities', { params: { id: user.id } })).body.items.map((i: { subject: string }) => i.subject),
      ['a-1'],
    );
    assert.equal(
      (await call('DELETE', '/users/{id}/identities/{providerId}/{subject}', { params: { id: user.id, providerId: 'corp', subject: 'a-1' } })).status,
      204,
    );
    assert.equal((await call('DELETE', '/identity-providers/{id}', { params: { id: 'corp' } })).status, 204);
    assert.equal((await call('GET', '/identity-providers/{id}', { params: { id: 'corp' } })).status, 404);
  });

  it('takes user attributes (size-checked) and claim mappings (reserved claims refused)', async () => {
    const user = await call('POST', '/users', { body: { username: 'attr-user', attributes: { tenant: 'acme', level: 3 } } });
    assert.equal(user.status, 201);
    assert.deepEqual(user.body.attributes, { tenant: 'acme', level: 3 });
    const big = await call('POST', '/users', { body: { username: 'big-user', attributes: { blob: 'x'.repeat(9000) } } });
    assert.equal(big.status, 400);
    const api = { identifier: 'https://claims.test', name: 'Claims', claims: { tenant: 'user.attributes.tenant' } };
    const created = await call('POST', '/apis', { body: api });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body.claims, { tenant: 'user.attributes.tenant' });
    const reserved = await call('POST', '/apis', { body: { ...api, identifier: 'https://claims2.test', claims: { sub: 'user.username' } } });
    assert.equal(reserved.status, 400);
    assert.match(JSON.stringify(reserved.body), /reserved/);
  });
});
