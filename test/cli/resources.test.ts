/**
 * `tessera <resource> <action>` on the local store (no server): create, list, get,
 * update and delete for APIs, clients, users, roles and service accounts, --json,
 * exit codes, and the developer tools (token mint, token inspect). A representative
 * set runs the real process; the wider matrix calls main() in-process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inProcess, json, tessera } from './run-cli.js';

const ORGANIZER = 'https://api.organizer.example';

describe('tessera resource commands on the local store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-resources-'));
  const data = join(dir, 'data');
  const local = (...argv: string[]) => inProcess(...argv, '--data', data);
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    const applied = await local('apply', 'example.yaml');
    assert.equal(applied.code, 0, applied.err);
  });

  it('manages APIs through the real binary, with --json that parses', async () => {
    const created = await tessera([
      'apis',
      'create',
      'https://api.test',
      '--name',
      'Test',
      '--scope',
      'read:x=Read x',
      '--scope',
      'write:x',
      '--json',
      '--data',
      data,
    ]);
    assert.equal(created.code, 0, created.err);
    assert.match(created.err, /^using the local store in .+ \(no server\)$/m, 'says which mode it uses');
    assert.deepEqual(json(created), {
      identifier: 'https://api.test',
      name: 'Test',
      scopes: [
        { name: 'read:x', description: 'Read x' },
        { name: 'write:x', description: '' },
      ],
      format: 'jwt',
      ttl: 3600,
      alg: 'ES256',
    });

    const listed = json<{ identifier: string }[]>(await local('apis', 'list', '--json'));
    assert.ok(listed.some((a) => a.identifier === 'https://api.test') && listed.some((a) => a.identifier === ORGANIZER));

    const updated = await local(
      'apis',
      'update',
      'https://api.test',
      '--add-scope',
      'admin:x',
      '--remove-scope',
      'write:x',
      '--ttl',
      '15m',
      '--format',
      'reference',
      '--json',
    );
    assert.equal(updated.code, 0, updated.err);
    const changed = json(updated);
    assert.deepEqual(
      { ...changed, scopes: (changed.scopes as { name: string }[]).map((s) => s.name) },
      { identifier: 'https://api.test', name: 'Test', scopes: ['read:x', 'admin:x'], format: 'reference', ttl: 900, alg: 'ES256' },
    );

    const shown = await local('apis', 'get', 'https://api.test');
    assert.match(shown.out, /^format\s+reference$/m);
    assert.match(shown.out, /^ttl\s+15m$/m);
    assert.match(shown.out, /^scopes\s+read:x\s+Read x$/m);
    const table = await local('apis', 'list');
    assert.match(table.out, /^IDENTIFIER\s+NAME\s+FORMAT\s+TTL\s+ALG\s+SCOPES$/m);
    assert.match(table.out, /^https:\/\/api\.test\s+Test\s+reference\s+15m\s+ES256\s+read:x admin:x$/m);

    const deleted = await local('apis', 'delete', 'https://api.test');
    assert.equal(deleted.code, 0, deleted.err);
    assert.equal(deleted.out, 'deleted API https://api.test');
    const gone = await local('apis', 'get', 'https://api.test');
    assert.equal(gone.code, 1);
    assert.match(gone.err, /^tessera apis get: API https:\/\/api\.test not found \(404\)$/m);
  });

  it('manages roles and users, with the password from stdin and names for ids', async () => {
    const role = await local('roles', 'create', 'planner', '--permission', `${ORGANIZER}=read:calendars write:calendars`, '--description', 'Plans', '--json');
    assert.equal(role.code, 0, role.err);
    assert.deepEqual(json(role), { name: 'planner', description: 'Plans', permissions: { [ORGANIZER]: ['read:calendars', 'write:calendars'] } });

    const created = await tessera(['users', 'create', 'bob', '--role', 'planner', '--email', 'bob@example.com', '--password-stdin', '--json', '--data', data], {
      input: 'bob-password-123\n',
    });
    assert.equal(created.code, 0, created.err);
    const bob = json<{ id: string; username: string; roles: string[]; hasPassword: boolean; active: boolean }>(created);
    assert.deepEqual(
      { ...bob, id: typeof bob.id },
      { id: 'string', username: 'bob', email: 'bob@example.com', active: true, roles: ['planner'], hasPassword: true },
    );

    const updated = await local('users', 'update', 'bob', '--inactive', '--name', 'Bob Builder', '--add-role', 'calendar-reader', '--json');
    assert.equal(updated.code, 0, updated.err);
    assert.deepEqual(json(updated), {
      id: bob.id,
      username: 'bob',
      name: 'Bob Builder',
      email: 'bob@example.com',
      active: false,
      roles: ['planner', 'calendar-reader'],
      hasPassword: true,
    });
    assert.equal(json(await local('users', 'get', bob.id, '--json')).username, 'bob', 'a user id works where a name does');

    const inactive = json<{ username: string }[]>(await local('users', 'list', '--inactive', '--json'));
    assert.deepEqual(
      inactive.map((u) => u.username),
      ['bob'],
    );
    const table = await local('users', 'list', '--role', 'planner');
    assert.match(table.out, /^USERNAME\s+NAME\s+EMAIL\s+ACTIVE\s+ROLES\s+ID$/m);
    assert.match(table.out, /^bob\s+Bob Builder\s+bob@example\.com\s+no\s+planner calendar-reader\s+\S+$/m);

    const roleUpdated = await local('roles', 'update', 'planner', '--permission', `${ORGANIZER}=read:tasks`, '--description', '', '--json');
    assert.deepEqual(json(roleUpdated), { name: 'planner', permissions: { [ORGANIZER]: ['read:tasks'] } });
    assert.match((await local('roles', 'get', 'planner')).out, /^permissions\s+https:\/\/api\.organizer\.example: read:tasks$/m);
    assert.match((await local('roles', 'list')).out, /^planner\s+-\s+https:\/\/api\.organizer\.example: read:tasks$/m);

    const password = await local('users', 'set-password', 'bob');
    assert.match(password.out, /^\S{20,}$/, 'a generated password, printed once');
    assert.match((await local('users', 'consents', 'bob')).out, /bob has not consented to any app/);
    assert.match((await local('users', 'revoke-everything', 'bob')).out, /revoked 0 token\(s\) and 0 consent\(s\); every session of bob has ended/);

    const deleted = await local('users', 'delete', 'bob');
    assert.equal(deleted.code, 0, deleted.err);
    assert.match(deleted.out, /^deleted user bob \(\S+\); everything they held is revoked$/);
    assert.equal((await local('roles', 'delete', 'planner')).out, 'deleted role planner');
    assert.equal((await local('roles', 'get', 'planner')).code, 1);
  });

  it('manages clients from a file and inline JSON, and rotates secrets', async () => {
    const file = join(dir, 'client.yaml');
    writeFileSync(file, `clientId: reporting\nname: Reporting\ngrantTypes: [client_credentials]\napi: ${ORGANIZER}\nscopes: [read:calendars]\n`);
    const created = await local('clients', 'create', '--file', file, '--json');
    assert.equal(created.code, 0, created.err);
    const { client, secret } = json<{ client: Record<string, unknown>; secret: { id: string; secret: string } }>(created);
    assert.equal(client.clientId, 'reporting');
    assert.deepEqual(client.permissions, { [ORGANIZER]: ['read:calendars'] });
    assert.match(secret.secret, /^[\w-]{40,}$/);

    const updated = await local(
      'clients',
      'update',
      'reporting',
      '--json-body',
      '{"name":"Reports"}',
      '--scope',
      'read:calendars read:tasks',
      '--first-party',
      '--json',
    );
    assert.equal(updated.code, 0, updated.err);
    assert.deepEqual(
      (({ name, permissions, firstParty, secrets }) => ({ name, permissions, firstParty, secrets: (secrets as { id: string }[]).map((s) => s.id) }))(
        json(updated),
      ),
      { name: 'Reports', permissions: { [ORGANIZER]: ['read:calendars', 'read:tasks'] }, firstParty: true, secrets: [secret.id] },
      'the fields given change, the secret stays',
    );

    const added = await local('clients', 'secret', 'add', 'reporting');
    assert.equal(added.code, 0, added.err);
    assert.match(added.out, /^[\w-]{40,}$/, 'the new secret alone on stdout');
    const secrets = json<{ id: string }[]>(await local('clients', 'secret', 'list', 'reporting', '--json'));
    assert.equal(secrets.length, 2);
    assert.equal((await local('clients', 'secret', 'delete', 'reporting', secret.id)).code, 0);
    const last = await local('clients', 'secret', 'delete', 'reporting', secrets[1]!.id);
    assert.equal(last.code, 1);
    assert.match(last.err, /conflict \(409\): a client that authenticates with a secret keeps at least one/);

    const listed = await local('clients', 'list', '--api', ORGANIZER);
    assert.match(listed.out, /^reporting\s+Reports\s+confidential\s+client_secret_basic\s+client_credentials\s+https:\/\/api\.organizer\.example$/m);
    assert.doesNotMatch(listed.out, /taxi-finder/, '--api filters');
    assert.match((await local('clients', 'get', 'reporting')).out, /^options\s+first-party$/m);
    assert.equal((await local('clients', 'delete', 'reporting')).out, 'deleted client reporting');
  });

  it('manages service accounts and their tokens', async () => {
    assert.match(
      (await local('service-accounts', 'create', 'nightly', '--role', 'calendar-reader')).out,
      /^service account nightly \(\S+\) with roles: calendar-reader$/,
    );
    const sat = await local('tokens', 'create', 'sat', '--service-account', 'nightly', '--api', ORGANIZER, '--scope', 'read:calendars', '--name', 'backup');
    assert.equal(sat.code, 0, sat.err);
    assert.match(sat.out, /^tsr_sat_\w+$/);
    const tokens = json<{ id: string; kind: string; name: string }[]>(await local('tokens', 'list', '--service-account', 'nightly', '--json'));
    assert.deepEqual(
      tokens.map((t) => [t.kind, t.name]),
      [['service_access_token', 'backup']],
    );
    assert.match((await local('tokens', 'get', tokens[0]!.id)).out, /^state\s+active$/m);

    // RFC 9449: a SAT bound to a DPoP key; a malformed thumbprint is a field error.
    const jkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
    const bound = await local(
      'tokens',
      'create',
      'sat',
      '--service-account',
      'nightly',
      '--api',
      ORGANIZER,
      '--scope',
      'read:calendars',
      '--name',
      'bound',
      '--dpop-jkt',
      jkt,
      '--json',
    );
    assert.equal(bound.code, 0, bound.err);
    assert.equal(json<{ summary: { id: string; dpopJkt: string } }>(bound).summary.dpopJkt, jkt);
    assert.match((await local('tokens', 'get', json<{ summary: { id: string } }>(bound).summary.id)).out, new RegExp(`^DPoP key \\(jkt\\)\\s+${jkt}$`, 'm'));
    const malformed = await local(
      'tokens',
      'create',
      'sat',
      '--service-account',
      'nightly',
      '--api',
      ORGANIZER,
      '--scope',
      'read:calendars',
      '--name',
      'x',
      '--dpop-jkt',
      'short',
    );
    assert.equal(malformed.code, 1);
    assert.match(malformed.err, /dpopJkt/);
    assert.equal((await local('tokens', 'revoke', json<{ summary: { id: string } }>(bound).summary.id)).code, 0);

    const updated = await local('service-accounts', 'update', 'nightly', '--inactive', '--description', 'Nightly sync', '--json');
    assert.equal(updated.code, 0, updated.err);
    assert.equal(json(updated).active, false);
    assert.match((await local('service-accounts', 'list')).out, /^nightly\s+no\s+calendar-reader\s+Nightly sync\s+\S+$/m);
    assert.match((await local('service-accounts', 'delete', 'nightly')).out, /^deleted nightly; revoked 1 token\(s\)$/);
    assert.match((await local('tokens', 'list', '--user', 'alice')).out, /^no tokens$/m);
  });

  it('answers usage mistakes with exit 2 and API errors with exit 1, one line each', async () => {
    const [unknown, missing, both, noToken] = await Promise.all([
      tessera(['users', 'list', '--bogus', '--data', data]),
      local('apis', 'get'),
      local('roles', 'list', '--server', 'http://127.0.0.1:1'),
      inProcess('roles', 'list', '--server', 'http://127.0.0.1:1'),
    ]);
    assert.deepEqual([unknown.code, missing.code, both.code, noToken.code], [2, 2, 2, 2]);
    assert.equal(unknown.err, "tessera users list: Unknown option '--bogus'; run `tessera users list --help`");
    assert.equal(missing.err, 'tessera apis get: missing IDENTIFIER; run `tessera apis get --help`');
    assert.match(both.err, /^tessera roles list: --server talks to a running server; --data opens the local store: give one of them/);
    assert.match(noToken.err, /^tessera roles list: the management API at http:\/\/127\.0\.0\.1:1\/api\/v1 needs a token: set TESSERA_TOKEN/);

    const invalid = await tessera(['users', 'create', 'carol', '--email', 'not-an-email', '--role', 'ghost', '--data', data]);
    assert.equal(invalid.code, 1);
    assert.match(invalid.err, /^tessera users create: invalid input \(400\): body\.email: .+$/m, invalid.err);
    assert.equal(invalid.err.split('\n').length, 2, 'the mode line, then one line');
    const conflict = await local('users', 'create', 'alice');
    assert.equal(conflict.code, 1);
    assert.match(conflict.err, /tessera users create: conflict \(409\): user alice exists/);
    const unknownRole = await local('users', 'create', 'carol', '--role', 'ghost');
    assert.match(unknownRole.err, /invalid input \(400\): body\.roles\.0: unknown role ghost/);

    for (const argv of [['apis'], ['apis', 'frob'], ['users', 'create', '--help'], ['tokens', 'inspect', 'x']]) {
      const result = await local(...argv);
      if (argv.includes('--help')) {
        assert.equal(result.code, 0);
        assert.match(result.out, /^tessera users create USERNAME/);
        assert.match(result.out, /--password-stdin/);
      } else {
        assert.equal(result.code, 2, argv.join(' '));
        assert.equal(result.err.split('\n').length, 1, argv.join(' '));
      }
    }
    assert.match((await local('tokens', 'inspect', 'x')).err, /did you mean `tessera dev inspect`/);
    const help = await inProcess('--help');
    for (const verb of ['apis', 'clients', 'users', 'roles', 'service-accounts', 'tokens', 'dev', 'keys', 'apply', 'export', 'migrate'])
      assert.match(help.out, new RegExp(`^  ${verb}\\s`, 'm'));
  });

  it('mints test tokens and explains what inspect finds', async () => {
    const minted = await tessera(['dev', 'mint', '--client', 'taxi-finder', '--scope', 'geocode', '--json', '--data', data]);
    assert.equal(minted.code, 0, minted.err);
    const m2m = json<{ token: string; format: string; scopes: string[]; subject: string }>(minted);
    assert.deepEqual([m2m.format, m2m.scopes, m2m.subject], ['reference', ['geocode'], 'taxi-finder'], "the API's own format");
    const inspected = await tessera(['dev', 'inspect', m2m.token, '--data', data]);
    assert.equal(inspected.code, 0, inspected.err);
    assert.match(inspected.out, /^checksum\s+valid$/m);
    assert.match(inspected.out, /^kind\s+access token$/m);
    assert.match(inspected.out, /^verdict\s+VALID$/m);

    const forUser = await local('dev', 'mint', '--user', 'alice', '--api', ORGANIZER, '--ttl', '5m');
    assert.equal(forUser.code, 0, forUser.err);
    assert.match(forUser.err, /minted a JWT access token for user alice on https:\/\/api\.organizer\.example/);
    const jwt = json<{ valid: boolean; header: { typ: string }; claims: { scope: string; client_id: string; exp: number; iat: number } }>(
      await local('dev', 'inspect', forUser.out, '--json'),
    );
    assert.equal(jwt.valid, true);
    assert.equal(jwt.header.typ, 'at+jwt');
    assert.deepEqual([jwt.claims.scope, jwt.claims.client_id, jwt.claims.exp - jwt.claims.iat], ['read:calendars', 'tessera-cli', 300]);
    const elsewhere = json<{ valid: boolean; reasons: string[] }>(await inProcess('dev', 'inspect', forUser.out, '--json', '--data', join(dir, 'other')));
    assert.equal(elsewhere.valid, false);
    assert.match(elsewhere.reasons[0]!, /^unknown key id \S+: not one of this installation's published signing keys/);
    const beyond = await local('dev', 'mint', '--user', 'alice', '--api', ORGANIZER, '--scope', 'write:calendars');
    assert.equal(beyond.code, 1);
    assert.match(beyond.err, /not within the roles of alice on https:\/\/api\.organizer\.example: write:calendars \(allowed: read:calendars\)/);

    // Next to a server started with another issuer, the store's record of it is used (not 127.0.0.1:9000).
    const served = join(dir, 'served');
    assert.equal((await inProcess('apply', 'example.yaml', '--data', served, '--issuer', 'https://id.example.test')).code, 0);
    const there = json<{ token: string }>(await inProcess('dev', 'mint', '--user', 'alice', '--api', ORGANIZER, '--json', '--data', served));
    assert.equal(JSON.parse(Buffer.from(there.token.split('.')[1]!, 'base64url').toString()).iss, 'https://id.example.test');

    const pat = (await local('tokens', 'create', 'pat', '--user', 'alice', '--api', ORGANIZER, '--scope', 'read:calendars', '--name', 'inspect-me')).out;
    const i = pat.length - 10;
    const mistyped = pat.slice(0, i) + (pat[i] === 'a' ? 'b' : 'a') + pat.slice(i + 1);
    const bad = await tessera(['dev', 'inspect', '-', '--data', data], { input: mistyped });
    assert.equal(bad.code, 1);
    assert.match(bad.out, /^checksum\s+invalid$/m);
    assert.match(bad.out, /^verdict\s+NOT VALID$/m);
    assert.match(bad.out, /^why\s+wrong checksum: the last 6 characters do not match the rest/m);

    assert.equal((await local('users', 'update', 'alice', '--inactive')).code, 0);
    assert.deepEqual(json<{ reasons: string[] }>(await local('dev', 'inspect', pat, '--json')).reasons, ['owner inactive: user alice is deactivated']);
    assert.equal((await local('users', 'update', 'alice', '--active')).code, 0);
    const id = json<{ id: string; name: string }[]>(await local('tokens', 'list', '--user', 'alice', '--json')).find((t) => t.name === 'inspect-me')!.id;
    assert.equal((await local('tokens', 'revoke', id)).out, `revoked ${id}`);
    const revoked = json<{ valid: boolean; reasons: string[] }>(await local('dev', 'inspect', pat, '--json'));
    assert.equal(revoked.valid, false);
    assert.match(revoked.reasons[0]!, /^revoked at \d{4}-\d\d-\d\dT\S+Z \(/);
    assert.match(
      json<{ reasons: string[] }>(await local('dev', 'inspect', 'a'.repeat(40), '--json')).reasons[0]!,
      /^unknown: no user or action token with this value/,
    );
  });

  it('still answers to the old name of `dev`, `token`, saying on stderr that it is deprecated', async () => {
    const minted = await local('token', 'mint', '--client', 'taxi-finder', '--scope', 'geocode', '--json');
    assert.equal(minted.code, 0, minted.err);
    assert.match(minted.err, /^tessera token: deprecated, now `tessera dev` \(the old name will be removed in a later release\)$/m);
    const inspected = await local('token', 'inspect', json<{ token: string }>(minted).token);
    assert.equal(inspected.code, 0, inspected.err);
    assert.match(inspected.out, /^verdict\s+VALID$/m);
    assert.match(inspected.err, /deprecated, now `tessera dev`/);
    const help = await inProcess('token', '--help');
    assert.match(help.out, /^ {2}tessera dev mint\s/m);
    assert.equal((await local('dev', 'inspect', json<{ token: string }>(minted).token)).err.includes('deprecated'), false, 'the new name says nothing of it');
  });
});
