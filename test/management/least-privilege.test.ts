/**
 * Least privilege in the management API (issue 13, items 1 to 5): a caller can only
 * grant, assign, mint or delegate what it holds itself. Each escalation the security
 * review reproduced is replayed here over HTTP by a user whose role and PAT hold one
 * management scope each; each must be refused, while the administrator keeps full power.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateConfig } from '../../src/core/config/load.js';
import { ADMIN_ROLE, MANAGEMENT_SCOPES, managementAudience, type ManagementScope } from '../../src/management/management-api.js';
import { makeFixture, ORGANIZER } from '../support/fixture.js';
import { managementCaller, type ManagementAnswer } from '../support/management-calls.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

const refused = (answer: ManagementAnswer, status = 403) => {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  if (status === 403) assert.equal(answer.body.error, 'forbidden');
};

describe('management API: nobody grants more than they hold', () => {
  let server: TestServer;
  let call: Awaited<ReturnType<typeof managementCaller>>;
  let audience: string;
  let admin: string;
  let rootId: string;
  /** A PAT holding one management scope, of a user whose only management role is that scope (plus calendar-reader). */
  const holder: Partial<Record<ManagementScope, { token: string; userId: string }>> = {};

  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config });
    audience = managementAudience(server.url);
    rootId = (await server.engine.store.getUserByUsername('root'))!.id;
    admin = (await server.engine.credentials.createPersonalAccessToken(rootId, { name: 'admin', api: audience, scopes: [...MANAGEMENT_SCOPES] })).token;
    call = await managementCaller(server);
    const scopes: ManagementScope[] = ['write:dev_tools', 'write:roles', 'write:clients', 'write:users', 'write:tokens', 'write:service_accounts'];
    const known = { apis: await server.engine.store.listApis(), roles: (await server.engine.store.listRoles()).map((r) => r.name) };
    await server.engine.apply(
      validateConfig(
        {
          roles: scopes.map((s) => ({ name: `only-${s}`, permissions: { [audience]: [s] } })),
          users: scopes.map((s) => ({ username: `holder-${s.replace(':', '-')}`, password: 'holder-password-123', roles: [`only-${s}`, 'calendar-reader'] })),
        },
        'least-privilege test',
        known,
      ),
    );
    for (const scope of scopes) {
      const user = (await server.engine.store.getUserByUsername(`holder-${scope.replace(':', '-')}`))!;
      const { token } = await server.engine.credentials.createPersonalAccessToken(user.id, { name: scope, api: audience, scopes: [scope] });
      holder[scope] = { token, userId: user.id };
    }
  });
  after(() => server.close());

  const as = (scope: ManagementScope) => holder[scope]!.token;

  describe('write:dev_tools (item 1)', () => {
    it('mints no management token beyond the caller, and none that passes for a client', async () => {
      refused(await call(as('write:dev_tools'), 'POST', '/dev/tokens', { api: audience, subject: 'tessera-dev-tools' }), 400);
      refused(await call(as('write:dev_tools'), 'POST', '/dev/tokens', { api: audience, scopes: ['read:users'] }));
      const own = await call(as('write:dev_tools'), 'POST', '/dev/tokens', { api: audience });
      assert.equal(own.status, 201, JSON.stringify(own.body));
      assert.deepEqual(own.body.scopes, ['write:dev_tools'], 'the default is narrowed to what the caller holds');
      assert.equal((await call(own.body.token, 'GET', '/users')).status, 401, 'a test subject is nobody');
    });

    it('never makes the administrator, or another real user, the subject', async () => {
      refused(await call(as('write:dev_tools'), 'POST', '/dev/tokens', { api: audience, subject: rootId, scopes: ['write:dev_tools'] }), 400);
      refused(await call(as('write:dev_tools'), 'POST', '/dev/tokens', { user: 'root', api: audience, scopes: ['write:dev_tools'] }));
      const aliceId = (await server.engine.store.getUserByUsername('alice'))!.id;
      refused(await call(as('write:dev_tools'), 'POST', '/dev/tokens', { api: ORGANIZER, subject: aliceId, scopes: ['write:calendars'] }));
      refused(await call(as('write:dev_tools'), 'POST', '/dev/tokens', { api: ORGANIZER, subject: 'alice', scopes: ['read:calendars'] }), 400);
      // alice may do no more than the caller (calendar-reader): acting for her within her roles is fine.
      const forAlice = await call(as('write:dev_tools'), 'POST', '/dev/tokens', { user: 'alice', api: ORGANIZER });
      assert.equal(forAlice.status, 201, JSON.stringify(forAlice.body));
      assert.deepEqual(forAlice.body.scopes, ['read:calendars']);
    });

    it('acts as a client only for a caller holding all the client holds', async () => {
      refused(await call(as('write:dev_tools'), 'POST', '/dev/tokens', { client: 'basic-client' }));
      assert.equal((await call(admin, 'POST', '/dev/tokens', { client: 'basic-client' })).status, 201, 'the administrator may');
    });

    it("takes a client's token for what the client may do now, and only while it exists", async () => {
      const created = await call(admin, 'POST', '/clients', {
        clientId: 'robot',
        grantTypes: ['client_credentials'],
        permissions: { [audience]: ['read:users'] },
      });
      const token = (await server.post('/token', { grant_type: 'client_credentials', resource: audience }, basic('robot', created.body.secret.secret))).body
        .access_token as string;
      assert.equal((await call(token, 'GET', '/users')).status, 200);
      const read = await call(admin, 'GET', '/clients/{clientId}', undefined, { clientId: 'robot' });
      const { secrets: _s, ...input } = read.body;
      assert.equal((await call(admin, 'PUT', '/clients/{clientId}', { ...input, permissions: {} }, { clientId: 'robot' })).status, 200);
      assert.equal((await call(token, 'GET', '/users')).status, 403, 'its permission is gone at once');
      assert.equal((await call(admin, 'DELETE', '/clients/{clientId}', undefined, { clientId: 'robot' })).status, 204);
      assert.equal((await call(token, 'GET', '/users')).status, 401);
    });
  });

  describe('write:roles (item 2)', () => {
    it('cannot put scopes the caller lacks into a new role, or into its own', async () => {
      refused(await call(as('write:roles'), 'POST', '/roles', { name: 'all-of-it', permissions: { [audience]: [...MANAGEMENT_SCOPES] } }));
      refused(await call(as('write:roles'), 'POST', '/roles', { name: 'writer', permissions: { [ORGANIZER]: ['write:calendars'] } }));
      const own = await call(admin, 'GET', '/roles/{name}', undefined, { name: 'only-write:roles' });
      refused(
        await call(
          as('write:roles'),
          'PUT',
          '/roles/{name}',
          { ...own.body, permissions: { [audience]: ['write:roles', 'write:users'] } },
          { name: 'only-write:roles' },
        ),
      );
      assert.deepEqual((await server.engine.store.getRole('only-write:roles'))!.permissions, { [audience]: ['write:roles'] });
    });

    it('may grant what it holds, and take away what it does not', async () => {
      const made = await call(as('write:roles'), 'POST', '/roles', {
        name: 'reader-and-roles',
        permissions: { [audience]: ['write:roles'], [ORGANIZER]: ['read:calendars'] },
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const writer = await call(admin, 'GET', '/roles/{name}', undefined, { name: 'calendar-writer' });
      const narrowed = await call(
        as('write:roles'),
        'PUT',
        '/roles/{name}',
        { ...writer.body, permissions: { [ORGANIZER]: ['read:calendars'] } },
        { name: 'calendar-writer' },
      );
      assert.equal(narrowed.status, 200, 'removing a scope never escalates');
      await call(admin, 'PUT', '/roles/{name}', writer.body, { name: 'calendar-writer' });
    });
  });

  describe('write:clients (item 3)', () => {
    it('cannot create a client with management scopes it lacks, nor take over one that has them', async () => {
      refused(
        await call(as('write:clients'), 'POST', '/clients', {
          clientId: 'escalator',
          grantTypes: ['client_credentials'],
          permissions: { [audience]: [...MANAGEMENT_SCOPES] },
        }),
      );
      assert.equal(await server.engine.store.getClient('escalator'), undefined);
      await call(admin, 'POST', '/clients', {
        clientId: 'ops-bot',
        grantTypes: ['client_credentials'],
        permissions: { [audience]: ['read:users', 'write:users'] },
      });
      refused(await call(as('write:clients'), 'POST', '/clients/{clientId}/secrets', undefined, { clientId: 'ops-bot' }));
      const bot = (await call(admin, 'GET', '/clients/{clientId}', undefined, { clientId: 'ops-bot' })).body;
      const { secrets: _s, ...input } = bot;
      refused(
        await call(
          as('write:clients'),
          'PUT',
          '/clients/{clientId}',
          { ...input, permissions: { [audience]: ['read:users', 'write:users', 'write:roles'] } },
          { clientId: 'ops-bot' },
        ),
      );
      refused(
        await call(
          as('write:clients'),
          'PUT',
          '/clients/{clientId}',
          { ...input, tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'https://attacker.test/jwks' },
          { clientId: 'ops-bot' },
        ),
      );
      const renamed = await call(as('write:clients'), 'PUT', '/clients/{clientId}', { ...input, name: 'Ops bot' }, { clientId: 'ops-bot' });
      assert.equal(renamed.status, 200, 'what grants nothing new is fine');
    });

    it('creates clients within what it holds, never named like a user', async () => {
      const ok = await call(as('write:clients'), 'POST', '/clients', {
        clientId: 'self-service',
        grantTypes: ['client_credentials'],
        permissions: { [audience]: ['write:clients'], [ORGANIZER]: ['read:calendars'] },
      });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      refused(await call(admin, 'POST', '/clients', { clientId: rootId, grantTypes: ['client_credentials'] }), 409);
    });
  });

  describe('write:users (item 4)', () => {
    it('cannot give itself, or anyone, a role beyond what it holds', async () => {
      const me = holder['write:users']!.userId;
      const self = (await call(admin, 'GET', '/users/{id}', undefined, { id: me })).body;
      const { id: _id, hasPassword: _p, ...input } = self;
      refused(await call(as('write:users'), 'PUT', '/users/{id}', { ...input, roles: [...self.roles, ADMIN_ROLE] }, { id: me }));
      refused(await call(as('write:users'), 'PUT', '/users/{id}', { ...input, roles: [...self.roles, 'calendar-writer'] }, { id: me }));
      refused(await call(as('write:users'), 'POST', '/users', { username: 'mallory', password: 'mallory-password-1', roles: [ADMIN_ROLE] }));
      assert.deepEqual((await server.engine.store.getUser(me))!.roles, self.roles);
      assert.equal(
        (await call(as('write:users'), 'POST', '/users', { username: 'trudy', password: 'trudy-password-12', roles: ['calendar-reader'] })).status,
        201,
      );
    });

    it("cannot take over the administrator's account", async () => {
      refused(await call(as('write:users'), 'POST', '/users/{id}/password', { password: 'taken-over-password' }, { id: rootId }));
      const root = (await call(admin, 'GET', '/users/{id}', undefined, { id: rootId })).body;
      refused(
        await call(
          as('write:users'),
          'PUT',
          '/users/{id}',
          { username: root.username, active: true, roles: root.roles, email: 'mallory@evil.test' },
          { id: rootId },
        ),
      );
      refused(await call(as('write:users'), 'DELETE', '/users/{id}', undefined, { id: rootId }));
    });

    it('assigns roles to service accounts only within what it holds', async () => {
      refused(await call(as('write:service_accounts'), 'POST', '/service-accounts', { name: 'robot-admin', roles: [ADMIN_ROLE] }));
      assert.equal((await call(as('write:service_accounts'), 'POST', '/service-accounts', { name: 'robot-reader', roles: ['calendar-reader'] })).status, 201);
    });
  });

  describe('write:tokens (item 5)', () => {
    it('creates no token for the administrator, and none beyond its own scopes', async () => {
      refused(
        await call(as('write:tokens'), 'POST', '/tokens', {
          kind: 'personal_access_token',
          userId: rootId,
          name: 'x',
          api: audience,
          scopes: [...MANAGEMENT_SCOPES],
        }),
      );
      refused(
        await call(as('write:tokens'), 'POST', '/tokens', {
          kind: 'personal_access_token',
          userId: rootId,
          name: 'x',
          api: audience,
          scopes: ['write:tokens'],
        }),
      );
      refused(await call(as('write:tokens'), 'POST', '/tokens', { kind: 'user_token', userId: rootId }));
      const me = holder['write:tokens']!.userId;
      refused(
        await call(as('write:tokens'), 'POST', '/tokens', {
          kind: 'personal_access_token',
          userId: me,
          name: 'x',
          api: ORGANIZER,
          scopes: ['write:calendars'],
        }),
      );
      const own = await call(as('write:tokens'), 'POST', '/tokens', {
        kind: 'personal_access_token',
        userId: me,
        name: 'mine',
        api: audience,
        scopes: ['write:tokens'],
      });
      assert.equal(own.status, 201, JSON.stringify(own.body));
      const account = await server.engine.store.getServiceAccountByName('nightly-sync');
      refused(
        await call(as('write:tokens'), 'POST', '/tokens', {
          kind: 'service_access_token',
          serviceAccountId: account!.id,
          name: 's',
          api: ORGANIZER,
          scopes: ['write:calendars'],
        }),
      );
    });

    it('lets the administrator do all of it', async () => {
      const account = await server.engine.store.getServiceAccountByName('nightly-sync');
      assert.equal(
        (
          await call(admin, 'POST', '/tokens', {
            kind: 'service_access_token',
            serviceAccountId: account!.id,
            name: 's',
            api: ORGANIZER,
            scopes: ['write:calendars'],
          })
        ).status,
        201,
      );
      assert.equal(
        (await call(admin, 'POST', '/roles', { name: 'everything', permissions: { [audience]: [...MANAGEMENT_SCOPES], [ORGANIZER]: ['write:calendars'] } }))
          .status,
        201,
      );
      const alice = (await server.engine.store.getUserByUsername('alice'))!;
      assert.equal((await call(admin, 'POST', '/users/{id}/password', { password: 'alice-new-password-1' }, { id: alice.id })).status, 204);
    });
  });
});
