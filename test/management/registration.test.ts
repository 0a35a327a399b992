/**
 * Dynamic registration as the operator sees it: initial access tokens through the
 * management API (read:registration / write:registration, checked against the served
 * OpenAPI document) and the `tessera registration tokens` command; registered clients
 * marked in `GET /clients` and `tessera clients list`, and deleted like any other.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registrationPolicy } from '../../src/core/registration/registration-policy.js';
import { MANAGEMENT_SCOPES, managementAudience } from '../../src/management/management-api.js';
import { inProcess, json } from '../cli/run-cli.js';
import { makeFixture } from '../support/fixture.js';
import { managementCaller } from '../support/management-calls.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('management of dynamic registration', () => {
  let server: TestServer;
  let call: Awaited<ReturnType<typeof managementCaller>>;
  let admin: string;
  let reader: string;
  let cli: (...argv: string[]) => ReturnType<typeof inProcess>;

  before(async () => {
    server = await startTestServer({
      config: (await makeFixture()).config,
      registration: registrationPolicy({ enabled: true, initialAccessToken: 'required' }),
    });
    const root = (await server.engine.store.getUserByUsername('root'))!;
    const pat = async (scopes: string[]) =>
      (await server.engine.credentials.createPersonalAccessToken(root.id, { name: scopes.join(' ').slice(0, 50), api: managementAudience(server.url), scopes }))
        .token;
    admin = await pat([...MANAGEMENT_SCOPES]);
    reader = await pat(['read:registration', 'read:clients']);
    call = await managementCaller(server);
    cli = (...argv) => inProcess(...argv, '--server', server.url, '--token', admin);
  });
  after(() => server.close());

  const register = (token: string) =>
    fetch(`${server.url}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ client_name: 'Partner tool', redirect_uris: ['http://127.0.0.1/cb'], token_endpoint_auth_method: 'none' }),
    });

  it('creates, lists and revokes initial access tokens over the API, with least-privilege scopes', async () => {
    const status = await call(reader, 'GET', '/registration');
    assert.equal(status.status, 200);
    assert.equal(status.body.enabled, true);
    assert.equal(status.body.initialAccessToken, 'required');
    assert.equal(status.body.registrationEndpoint, `${server.url}/register`);

    assert.equal((await call(reader, 'POST', '/registration/tokens', { name: 'nope' })).status, 403);
    const created = await call(admin, 'POST', '/registration/tokens', { name: 'partner', expiresIn: 3600, singleUse: true });
    assert.equal(created.status, 201);
    assert.match(created.body.token, /^tsr_iat_/);
    assert.equal(created.body.initialAccessToken.status, 'usable');
    assert.equal(created.body.initialAccessToken.expiresAt, created.body.initialAccessToken.createdAt + 3600);

    const registered = await register(created.body.token);
    assert.equal(registered.status, 201);
    const clientId = ((await registered.json()) as { client_id: string }).client_id;
    const listed = await call(reader, 'GET', '/registration/tokens');
    const info = listed.body.items.find((t: { id: string }) => t.id === created.body.initialAccessToken.id);
    assert.equal(info.status, 'used');
    assert.ok(!JSON.stringify(listed.body).includes(created.body.token), 'never the token itself');

    // The client is listed, marked as registered, and an administrator can delete it.
    const client = await call(reader, 'GET', '/clients/{clientId}', undefined, { clientId });
    assert.equal(client.body.registration.initialAccessTokenId, info.id);
    assert.equal(client.body.registration.metadata.client_name, 'Partner tool');
    assert.equal((await call(admin, 'DELETE', '/clients/{clientId}', undefined, { clientId })).status, 204);

    const reusable = await call(admin, 'POST', '/registration/tokens', {});
    assert.equal((await call(admin, 'DELETE', '/registration/tokens/{id}', undefined, { id: reusable.body.initialAccessToken.id })).status, 204);
    assert.equal((await register(reusable.body.token)).status, 401);
    assert.equal((await call(admin, 'DELETE', '/registration/tokens/{id}', undefined, { id: 'no-such-token' })).status, 404);
    await server.engine.audit.flush();
    const { events } = await server.engine.audit.query({ type: 'management.changed' });
    assert.ok(events.some((e) => e.details?.kind === 'initial_access_token' && e.details?.action === 'created'));
  });

  it('does the same with `tessera registration` and lists registered clients in `tessera clients list`', async () => {
    const status = await cli('registration', 'status');
    assert.equal(status.code, 0, status.err);
    assert.match(status.out, /^enabled\s+yes, at http/m);

    const created = await cli('registration', 'tokens', 'create', '--name', 'ci', '--expires-in', '7d', '--single-use');
    assert.equal(created.code, 0, created.err);
    assert.match(created.out, /^tsr_iat_\w+$/);
    assert.match(created.err, /single use/);
    const response = await register(created.out);
    assert.equal(response.status, 201);
    const clientId = ((await response.json()) as { client_id: string }).client_id;

    const listed = json<{ id: string; name: string; status: string }[]>(await cli('registration', 'tokens', 'list', '--json'));
    const ci = listed.find((t) => t.name === 'ci')!;
    assert.equal(ci.status, 'used');
    const table = await cli('registration', 'tokens', 'list');
    assert.match(table.out, /^ID\s+NAME\s+STATUS/m);

    const clients = await cli('clients', 'list');
    assert.match(clients.out, new RegExp(`^${clientId}\\s+Partner tool \\[registered itself\\]\\s+public\\s+none\\s+authorization_code\\s+-$`, 'm'));
    const shown = await cli('clients', 'get', clientId);
    assert.match(shown.out, /^registered\s+itself \(RFC 7591, unverified\)/m);
    assert.equal((await cli('clients', 'delete', clientId)).code, 0);

    const revoked = await cli('registration', 'tokens', 'revoke', ci.id);
    assert.equal(revoked.code, 0, revoked.err);
    const usage = await cli('registration', 'tokens', 'frobnicate');
    assert.equal(usage.code, 2);
  });
});
