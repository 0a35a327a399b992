/**
 * `tessera` against a running server, through its management API: TESSERA_SERVER and
 * TESSERA_TOKEN (or --server and --token), the same commands and output as on the
 * local store, the API's errors as one-line messages with exit 1 (403 with a read-only
 * token, 401, 404), and mint/inspect where the server does the work.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { MANAGEMENT_SCOPES } from '../../src/management/management-api.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { inProcess, json, tessera } from './run-cli.js';

const ORGANIZER = 'https://api.organizer.example';

describe('tessera through the management API', () => {
  let server: TestServer;
  let admin: Record<string, string>;
  let readOnly: Record<string, string>;
  /** In-process, with the server and token as flags. */
  let api: (...argv: string[]) => ReturnType<typeof inProcess>;

  before(async () => {
    server = await startTestServer({ config: parseYaml(readFileSync('example.yaml', 'utf8')) });
    const root = (await server.engine.store.getUserByUsername('root'))!;
    const pat = (scopes: string[]) =>
      server.engine.credentials.createPersonalAccessToken(root.id, { name: `cli ${scopes.length}`, api: `${server.url}/api/v1`, scopes });
    const full = (await pat([...MANAGEMENT_SCOPES])).token;
    admin = { TESSERA_SERVER: server.url, TESSERA_TOKEN: full };
    readOnly = { TESSERA_SERVER: server.url, TESSERA_TOKEN: (await pat(MANAGEMENT_SCOPES.filter((s) => s.startsWith('read:')))).token };
    api = (...argv) => inProcess(...argv, '--server', server.url, '--token', full);
  });
  after(() => server.close());

  it('creates, lists, gets, updates and deletes users and roles on the server', async () => {
    const role = await tessera(['roles', 'create', 'planner', '--permission', `${ORGANIZER}=read:calendars write:calendars`, '--json'], { env: admin });
    assert.equal(role.code, 0, role.err);
    assert.equal(role.err, `using the management API at ${server.url}/api/v1`);
    assert.deepEqual(json(role).permissions, { [ORGANIZER]: ['read:calendars', 'write:calendars'] });

    const created = await tessera(['users', 'create', 'dora', '--role', 'planner', '--password-stdin'], { env: admin, input: 'dora-password-123' });
    assert.equal(created.code, 0, created.err);
    assert.match(created.out, /^username\s+dora$/m);
    const stored = await server.engine.store.getUserByUsername('dora');
    assert.deepEqual([stored?.roles, stored?.passwordHash !== undefined], [['planner'], true], 'the server has it');

    const updated = await api('users', 'update', 'dora', '--inactive', '--email', 'dora@example.com', '--json');
    assert.equal(updated.code, 0, updated.err);
    assert.deepEqual((({ active, email }) => ({ active, email }))(json(updated)), { active: false, email: 'dora@example.com' });
    const listed = json<{ username: string; active: boolean }[]>(
      await inProcess('users', 'list', '--json', '--server', server.url, '--token', readOnly.TESSERA_TOKEN!),
    );
    assert.deepEqual(
      listed.map((u) => [u.username, u.active]),
      [
        ['alice', true],
        ['dora', false],
        ['root', true],
      ],
    );

    assert.match((await api('users', 'get', 'dora')).out, /^active\s+no$/m);
    assert.match((await api('roles', 'update', 'planner', '--description', 'Plans')).out, /^description\s+Plans$/m);
    assert.equal((await api('users', 'delete', 'dora')).code, 0);
    assert.equal(await server.engine.store.getUserByUsername('dora'), undefined);
    assert.equal((await api('roles', 'delete', 'planner')).out, 'deleted role planner');

    const apiCreated = await api('apis', 'create', 'https://api.remote.test', '--name', 'Remote', '--scope', 'a b', '--json');
    assert.deepEqual(json(apiCreated).scopes, [
      { name: 'a', description: '' },
      { name: 'b', description: '' },
    ]);
    assert.equal(json(await api('apis', 'update', 'https://api.remote.test', '--ttl', '600', '--json')).ttl, 600);
    assert.equal((await api('apis', 'delete', 'https://api.remote.test')).code, 0);
    const client = json<{ secret: { secret: string } }>(await api('clients', 'create', 'remote-client', '--api', ORGANIZER, '--scope', 'read:tasks', '--json'));
    assert.match(client.secret.secret, /^[\w-]{40,}$/);
    assert.equal((await api('clients', 'delete', 'remote-client')).code, 0);
  });

  it('turns 403, 401 and 404 into one line and exit 1', async () => {
    const forbidden = await tessera(['roles', 'create', 'nope'], { env: readOnly });
    assert.equal(forbidden.code, 1);
    assert.equal(forbidden.err.split('\n')[1], 'tessera roles create: forbidden (403): this call needs the write:roles scope (the token does not hold it)');
    assert.equal(await server.engine.store.getRole('nope'), undefined);

    const badToken = await inProcess('users', 'list', '--server', server.url, '--token', 'not-a-token');
    assert.equal(badToken.code, 1);
    assert.match(badToken.err, /^tessera users list: not authenticated \(401\): the token is invalid, expired or revoked \(check --token \/ TESSERA_TOKEN\)$/m);
    const missing = await api('users', 'get', 'nobody');
    assert.equal(missing.code, 1);
    assert.match(missing.err, /^tessera users get: user nobody not found \(404\)$/m);
    const unreachable = await inProcess('apis', 'list', '--server', 'http://127.0.0.1:1', '--token', 'x');
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.err, /cannot reach http:\/\/127\.0\.0\.1:1/);
  });

  it('mints through the server and inspects with its JWKS and introspection', async () => {
    const minted = await tessera(['dev', 'mint', '--client', 'taxi-finder', '--api', 'https://api.worldmappers.example', '--json'], {
      env: { ...admin, TESSERA_CLIENT_SECRET: 'taxi-finder-secret-change-me' },
    });
    assert.equal(minted.code, 0, minted.err);
    const m2m = json<{ token: string; scopes: string[] }>(minted);
    assert.match(m2m.token, /^tsr_at_/, "a real client_credentials token, in the API's reference format");
    const inspected = await tessera(['dev', 'inspect', m2m.token, '--client', 'worldmappers-api'], {
      env: { ...admin, TESSERA_CLIENT_SECRET: 'worldmappers-api-secret-change-me' },
    });
    assert.equal(inspected.code, 0, inspected.err);
    assert.match(inspected.out, /^introspection\s+active$/m);
    assert.match(inspected.out, /^verdict\s+VALID$/m);

    const planner = await tessera(['dev', 'mint', '--client', 'delivery-planner', '--api', ORGANIZER], {
      env: { ...admin, TESSERA_CLIENT_SECRET: 'delivery-planner-secret-change-me' },
    });
    assert.equal(planner.code, 0, planner.err);
    assert.match(planner.err, /got an access token for client delivery-planner with client_credentials/, 'client_secret_post works too');
    const checked = await api('dev', 'inspect', planner.out);
    assert.equal(checked.code, 0, checked.out);
    assert.match(checked.out, /^issuer\s+http:\/\/127\.0\.0\.1:\d+$/m);
    assert.match(checked.out, /^notes\s+signature, issuer and expiry checked against the server; revocation not checked/m);
    const [head, body] = planner.out.split('.');
    const forged = `${head}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), scope: 'read:calendars write:calendars' })).toString('base64url')}.${planner.out.split('.')[2]}`;
    const refused = await api('dev', 'inspect', forged);
    assert.equal(refused.code, 1);
    assert.match(refused.out, /^why\s+bad signature: the token was altered after signing/m);

    const forUser = await api('dev', 'mint', '--user', 'alice', '--api', ORGANIZER, '--ttl', '10m');
    assert.equal(forUser.code, 0, forUser.err);
    assert.match(forUser.out, /^tsr_pat_\w+$/);
    assert.match(forUser.err, /created a personal access token for user alice .* through the management API \(it expires in 10m/);
    const unknown = json<{ valid: boolean | null; checksum: string }>(await api('dev', 'inspect', forUser.out, '--json'));
    assert.deepEqual([unknown.valid, unknown.checksum], [null, 'valid'], 'without introspection credentials it cannot tell');

    const jwt = (await inProcess('dev', 'mint', '--client', 'calendar-app', '--server', server.url, '--token', 'x')).code;
    assert.equal(jwt, 2, 'a client through the server needs its secret');
    const alone = await api('dev', 'mint', '--api', ORGANIZER);
    assert.equal(alone.code, 2);
    assert.match(alone.err, /minting for an API alone .* needs the local store/);
  });
});
