/**
 * The one behaviour every storage backend must have. Each backend's test file calls
 * `storeContract` with a factory that returns a fresh, empty, migrated store.
 */
import assert from 'node:assert/strict';
import { describe, it, before, after } from 'node:test';
import { indexedColumns, type AuditEvent } from '../../core/audit/audit-event.js';
import { chainRecords, GENESIS } from '../../core/audit/record-hash.js';
import { verifyChain } from '../../core/audit/verify-chain.js';
import type { Api, Client, SigningKey, StoredToken, User, UserSession } from '../../core/model.js';
import type { Store } from '../../core/ports/storage.js';
import { outboxContract } from './outbox-contract.js';
import { factorContract } from './factor-contract.js';
import { federationContract } from './federation-contract.js';
import { documentContract } from './document-contract.js';
import { deviceAuthorizationContract } from './device-authorization-contract.js';

export interface StoreFactory {
  create(): Promise<Store>;
  /** Drops whatever `create` made (a schema, a file). */
  destroy?(store: Store): Promise<void>;
}

const api: Api = {
  identifier: 'https://api.organizer.test',
  name: 'Organizer',
  scopes: [{ name: 'read:calendars', description: 'Read calendars' }],
  format: 'jwt',
  ttl: 600,
  alg: 'ES256',
};

const client: Client = {
  clientId: 'calendar-app',
  name: 'CalendarApp',
  type: 'confidential',
  tokenEndpointAuthMethod: 'client_secret_basic',
  secrets: [{ hash: 'h1', createdAt: 1 }],
  redirectUris: ['https://calendar.test/cb'],
  grantTypes: ['client_credentials'],
  api: api.identifier,
  permissions: { [api.identifier]: ['read:calendars'] },
  introspection: 'own',
};

const token = (hash: string, overrides: Partial<StoredToken> = {}): StoredToken => ({
  hash,
  kind: 'access_token',
  jti: `jti-${hash}`,
  clientId: 'calendar-app',
  subject: 'calendar-app',
  audience: api.identifier,
  scope: 'read:calendars',
  issuedAt: 1000,
  expiresAt: 2000,
  ...overrides,
});

const key = (kid: string, status: SigningKey['status']): SigningKey => ({
  kid,
  alg: 'ES256',
  status,
  privateKeyEncrypted: `enc-${kid}`,
  publicJwk: { kty: 'EC', kid },
  createdAt: 100,
});

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    before(async () => {
      store = await factory.create();
    });
    after(async () => {
      await factory.destroy?.(store);
      await store.close();
    });

    it('migrates idempotently and reports the schema version', async () => {
      assert.deepEqual(await store.migrate(), []);
      const version = await store.schemaVersion();
      assert.equal(version.database, version.code);
      await store.ping();
    });

    it('upserts, reads, lists and deletes APIs', async () => {
      assert.equal(await store.getApi(api.identifier), undefined);
      await store.upsertApi(api);
      assert.deepEqual(await store.getApi(api.identifier), api);
      await store.upsertApi({ ...api, name: 'Organizer v2' });
      assert.equal((await store.getApi(api.identifier))?.name, 'Organizer v2');
      assert.equal((await store.listApis()).length, 1);
      await store.upsertApi({ ...api, identifier: 'https://other.test' });
      assert.equal(await store.deleteApi('https://other.test'), true);
      assert.equal(await store.deleteApi('https://other.test'), false);
    });

    it('upserts, reads, lists and deletes clients', async () => {
      await store.upsertClient(client);
      assert.deepEqual(await store.getClient('calendar-app'), client);
      await store.upsertClient({ ...client, redirectUris: [] });
      assert.deepEqual((await store.getClient('calendar-app'))?.redirectUris, []);
      await store.upsertClient({ ...client, clientId: 'zz' });
      assert.deepEqual(
        (await store.listClients()).map((c) => c.clientId),
        ['calendar-app', 'zz'],
      );
      assert.equal(await store.deleteClient('zz'), true);
      assert.equal(await store.getClient('zz'), undefined);
    });

    it('upserts users by username and keeps their id', async () => {
      const user: User = { id: 'u1', username: 'alice', email: 'alice@example.test', active: true, roles: [] };
      const stored = await store.upsertUser(user);
      assert.equal(stored.id, 'u1');
      const again = await store.upsertUser({ ...user, id: 'ignored', active: false });
      assert.equal(again.id, 'u1');
      assert.equal((await store.getUser('u1'))?.active, false);
      assert.equal((await store.getUserByUsername('alice'))?.id, 'u1');
      assert.equal(await store.getUserByUsername('nobody'), undefined);
      assert.equal((await store.listUsers()).length, 1);
      await store.upsertUser({ ...user, id: 'u-gone', username: 'gone' });
      assert.equal(await store.deleteUser('u-gone'), true);
      assert.equal(await store.deleteUser('u-gone'), false);
      assert.equal(await store.getUserByUsername('gone'), undefined);
    });

    it('upserts and lists roles', async () => {
      await store.upsertRole({ name: 'viewer', permissions: { [api.identifier]: ['read:calendars'] } });
      await store.upsertRole({ name: 'viewer', description: 'Reads', permissions: {} });
      assert.deepEqual(await store.getRole('viewer'), { name: 'viewer', description: 'Reads', permissions: {} });
      assert.equal((await store.listRoles()).length, 1);
      await store.upsertRole({ name: 'temp', permissions: {} });
      assert.equal(await store.deleteRole('temp'), true);
      assert.equal(await store.deleteRole('temp'), false);
    });

    it('keeps signing keys and changes their status together', async () => {
      await store.insertKey(key('k1', 'current'));
      await store.insertKey(key('k2', 'next'));
      await store.updateKeys([
        { kid: 'k1', status: 'retired', removeAfter: 5000 },
        { kid: 'k2', status: 'current' },
      ]);
      const keys = await store.listKeys();
      assert.deepEqual(
        keys.map((k) => [k.kid, k.status, k.removeAfter]),
        [
          ['k1', 'retired', 5000],
          ['k2', 'current', undefined],
        ],
      );
      assert.deepEqual(keys[1]?.publicJwk, { kty: 'EC', kid: 'k2' });
      await store.deleteKey('k1');
      assert.deepEqual(
        (await store.listKeys()).map((k) => k.kid),
        ['k2'],
      );
    });

    it('refuses a second current or next key for one algorithm', async () => {
      await assert.rejects(store.insertKey(key('k3', 'current')));
      await store.insertKey(key('k4', 'next'));
      await assert.rejects(store.insertKey(key('k5', 'next')));
      await store.insertKey({ ...key('k6', 'current'), alg: 'RS256' });
    });

    it('stores tokens by hash and revokes them once', async () => {
      await store.insertToken(token('t1'));
      assert.deepEqual(await store.findTokenByHash('t1'), token('t1'));
      assert.equal(await store.findTokenByHash('nope'), undefined);
      assert.equal(await store.revokeToken('t1', 1500), true);
      assert.equal(await store.revokeToken('t1', 1600), false);
      assert.equal((await store.findTokenByHash('t1'))?.revokedAt, 1500);
      await assert.rejects(store.insertToken(token('t1')));
    });

    it('deletes expired tokens', async () => {
      await store.insertToken(token('old', { expiresAt: 100 }));
      await store.insertToken(token('new', { expiresAt: 10_000 }));
      assert.equal(await store.deleteExpiredTokens(200), 1);
      assert.equal(await store.findTokenByHash('old'), undefined);
      assert.ok(await store.findTokenByHash('new'));
    });

    it('stores refresh-token details and consumes a token exactly once', async () => {
      const refresh = token('r1', { kind: 'refresh_token', grantId: 'g1', details: { authTime: 900, sid: 's1' } });
      await store.insertToken(refresh);
      assert.deepEqual(await store.findTokenByHash('r1'), refresh);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.consumeToken('r1', 1100)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal((await store.findTokenByHash('r1'))?.consumedAt, 1100);
      await store.setSuccessor('r1', 'r2');
      assert.equal((await store.findTokenByHash('r1'))?.successorHash, 'r2');
    });

    it('inserts a token once when inserts of the same hash race', async () => {
      const successor = token('r-once', { kind: 'refresh_token', grantId: 'g-once', details: { authTime: 900 } });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.insertTokenOnce({ ...successor, jti: `once-${i}` })));
      assert.equal(results.filter(Boolean).length, 1);
      const stored = await store.findTokenByHash('r-once');
      assert.equal(stored?.jti, `once-${results.indexOf(true)}`);
      assert.equal(await store.insertTokenOnce(successor), false);
    });

    it('revokes every token of a grant, and of a subject (optionally per client)', async () => {
      await store.insertToken(token('g-a', { grantId: 'g9', subject: 'u9' }));
      await store.insertToken(token('g-b', { kind: 'refresh_token', grantId: 'g9', subject: 'u9' }));
      await store.insertToken(token('g-c', { grantId: 'other', subject: 'u9', clientId: 'other-app' }));
      assert.equal(await store.revokeGrant('g9', 1200), 2);
      assert.equal(await store.revokeGrant('g9', 1300), 0);
      assert.equal((await store.findTokenByHash('g-b'))?.revokedAt, 1200);
      assert.equal((await store.findTokenByHash('g-c'))?.revokedAt, undefined);
      await store.insertToken(token('g-d', { subject: 'u9', clientId: 'calendar-app' }));
      assert.equal(await store.revokeSubjectTokens('u9', 'calendar-app', 1400), 1);
      assert.equal(await store.revokeSubjectTokens('u9', undefined, 1500), 1);
      assert.equal((await store.findTokenByHash('g-c'))?.revokedAt, 1500);
    });

    it("revokes every live token of one client, whoever's they are", async () => {
      await store.insertToken(token('c-a', { subject: 'u1', clientId: 'doomed-app', jti: 'c-a' }));
      await store.insertToken(token('c-b', { subject: 'u2', clientId: 'doomed-app', jti: 'c-b', kind: 'refresh_token' }));
      await store.insertToken(token('c-c', { subject: 'u1', clientId: 'doomed-app', jti: 'c-c', revokedAt: 50 }));
      await store.insertToken(token('c-d', { subject: 'u1', clientId: 'other-app', jti: 'c-d' }));
      assert.equal(await store.revokeClientTokens('doomed-app', 900), 2);
      assert.equal((await store.findTokenByHash('c-a'))?.revokedAt, 900);
      assert.equal((await store.findTokenByHash('c-b'))?.revokedAt, 900);
      assert.equal((await store.findTokenByHash('c-c'))?.revokedAt, 50, 'an earlier revocation stays');
      assert.equal((await store.findTokenByHash('c-d'))?.revokedAt, undefined);
      assert.equal(await store.revokeClientTokens('doomed-app', 950), 0);
    });

    it('lists a subject tokens by kind, finds them by id, and records last use in a batch', async () => {
      await store.insertToken(token('p1', { kind: 'personal_access_token', subject: 'u5', jti: 'pat-1', issuedAt: 10 }));
      await store.insertToken(token('p2', { kind: 'personal_access_token', subject: 'u5', jti: 'pat-2', issuedAt: 20 }));
      await store.insertToken(token('k1', { kind: 'user_token', subject: 'u5', jti: 'key-1', issuedAt: 30 }));
      await store.insertToken(token('x1', { kind: 'personal_access_token', subject: 'someone-else', jti: 'pat-3' }));
      assert.deepEqual(
        (await store.listSubjectTokens('u5', ['personal_access_token'])).map((t) => t.jti),
        ['pat-2', 'pat-1'],
      );
      assert.equal((await store.listSubjectTokens('u5', ['personal_access_token', 'user_token'])).length, 3);
      assert.equal((await store.findTokenById('key-1'))?.hash, 'k1');
      assert.equal(await store.findTokenById('nope'), undefined);
      await store.touchTokens([
        { hash: 'p1', at: 500 },
        { hash: 'k1', at: 600 },
      ]);
      await store.touchTokens([{ hash: 'p1', at: 400 }]);
      assert.equal((await store.findTokenByHash('p1'))?.lastUsedAt, 500, 'never goes backwards');
      assert.equal((await store.findTokenByHash('k1'))?.lastUsedAt, 600);
      await store.touchTokens([]);
    });

    it('keeps service accounts by name', async () => {
      const account = { id: 'sa1', name: 'etl', roles: ['reader'], active: true, createdAt: 5 };
      assert.equal((await store.upsertServiceAccount(account)).id, 'sa1');
      const again = await store.upsertServiceAccount({ ...account, id: 'ignored', active: false, createdAt: 9 });
      assert.equal(again.id, 'sa1');
      assert.equal(again.createdAt, 5);
      assert.equal((await store.getServiceAccount('sa1'))?.active, false);
      assert.equal((await store.getServiceAccountByName('etl'))?.id, 'sa1');
      assert.equal((await store.listServiceAccounts()).length, 1);
      assert.equal(await store.deleteServiceAccount('sa1'), true);
      assert.equal(await store.getServiceAccount('sa1'), undefined);
    });

    it('keeps consents per user and client', async () => {
      const consent = { userId: 'u1', clientId: 'calendar-app', scopes: ['openid'], createdAt: 1, updatedAt: 1 };
      await store.upsertConsent(consent);
      await store.upsertConsent({ ...consent, clientId: 'todo-app' });
      await store.upsertConsent({ ...consent, scopes: ['openid', 'read:calendars'], updatedAt: 2 });
      assert.deepEqual((await store.getConsent('u1', 'calendar-app'))?.scopes, ['openid', 'read:calendars']);
      assert.deepEqual(
        (await store.listConsents('u1')).map((c) => c.clientId),
        ['calendar-app', 'todo-app'],
      );
      assert.equal(await store.deleteConsent('u1', 'todo-app'), true);
      assert.equal(await store.deleteConsent('u1', 'todo-app'), false);
      assert.equal(await store.getConsent('u1', 'todo-app'), undefined);
      assert.deepEqual(await store.listConsents('nobody'), []);
      await store.upsertConsent({ ...consent, userId: 'u2' });
      assert.equal(await store.deleteClientConsents('calendar-app'), 2, "every user's consent for the client");
      assert.equal(await store.getConsent('u2', 'calendar-app'), undefined);
      assert.equal(await store.deleteClientConsents('calendar-app'), 0);
    });

    it('keeps ephemeral records until they expire', async () => {
      await store.putRecord('session', 's1', { userId: 'u1' }, 2000);
      assert.deepEqual(await store.getRecord('session', 's1', 1999), { userId: 'u1' });
      assert.equal(await store.getRecord('session', 's1', 2000), undefined);
      assert.equal(await store.getRecord('interaction', 's1', 1000), undefined, 'kinds are separate');
      await store.putRecord('session', 's1', { userId: 'u2' }, 3000);
      assert.deepEqual(await store.getRecord('session', 's1', 2500), { userId: 'u2' });
      await store.deleteRecord('session', 's1');
      assert.equal(await store.getRecord('session', 's1', 1000), undefined);
      await store.putRecord('session', 'old', {}, 10);
      assert.equal(await store.deleteExpiredRecords(100), 1);
    });

    it('keeps sign-in sessions by cookie hash, lists them per user and ends them one or all at once', async () => {
      const session = (id: string, userId: string, createdAt: number, extra: Partial<UserSession> = {}): UserSession => ({
        id,
        hash: `h-${id}`,
        userId,
        createdAt,
        lastSeenAt: createdAt,
        expiresAt: createdAt + 1000,
        ...extra,
      });
      await store.insertSession(session('s1', 'u1', 100, { userAgent: 'Firefox', ip: '192.0.2.1' }));
      await store.insertSession(session('s2', 'u1', 200));
      await store.insertSession(session('s3', 'u1', 300));
      await store.insertSession(session('s4', 'u2', 100));
      assert.deepEqual(await store.findSessionByHash('h-s1', 500), session('s1', 'u1', 100, { userAgent: 'Firefox', ip: '192.0.2.1' }));
      assert.equal(await store.findSessionByHash('h-s1', 1100), undefined, 'expired');
      assert.equal(await store.findSessionByHash('s1', 500), undefined, 'found by hash, not id');
      await store.touchSession('h-s2', 700);
      await store.touchSession('h-s2', 600);
      assert.equal((await store.findSessionByHash('h-s2', 800))?.lastSeenAt, 700, 'last seen only moves forward');
      assert.deepEqual(
        (await store.listUserSessions('u1', 500)).map((s) => s.id),
        ['s3', 's2', 's1'],
        'newest first',
      );
      assert.deepEqual(
        (await store.listUserSessions('u1', 1150)).map((s) => s.id),
        ['s3', 's2'],
        'expired ones are left out',
      );
      assert.equal(await store.deleteUserSession('u2', 's1'), false, "only the owner's sessions");
      assert.equal(await store.deleteUserSession('u1', 's1'), true);
      assert.equal(await store.deleteUserSession('u1', 's1'), false);
      assert.equal(await store.findSessionByHash('h-s1', 500), undefined);
      await store.insertSession(session('s5', 'u1', 400));
      assert.equal(await store.deleteUserSessions('u1', 's5'), 2, 'all but the one kept');
      assert.deepEqual(
        (await store.listUserSessions('u1', 500)).map((s) => s.id),
        ['s5'],
      );
      await store.deleteSessionByHash('h-s5');
      assert.equal(await store.deleteUserSessions('u2'), 1);
      assert.deepEqual(await store.listUserSessions('u1', 500), []);
      await store.insertSession(session('s6', 'u3', 100));
      await store.insertSession(session('s7', 'u3', 5000));
      assert.equal(await store.deleteExpiredSessions(2000), 1);
      assert.deepEqual(
        (await store.listUserSessions('u3', 2000)).map((s) => s.id),
        ['s7'],
      );
    });

    it('lets exactly one caller consume a record, and tells the others', async () => {
      await store.putRecord('code', 'c1', { clientId: 'calendar-app' }, 2000);
      const results = await Promise.all(Array.from({ length: 30 }, () => store.consumeRecord('code', 'c1', 1000)));
      assert.equal(results.filter((r) => r?.firstUse).length, 1);
      assert.ok(results.every((r) => r !== undefined && (r.doc as { clientId: string }).clientId === 'calendar-app'));
      assert.equal(await store.consumeRecord('code', 'c1', 2000), undefined, 'expired');
      assert.equal(await store.consumeRecord('code', 'missing', 1000), undefined);
    });

    it('remembers revoked JWT ids', async () => {
      assert.equal(await store.isJtiRevoked('j1'), false);
      await store.revokeJti('j1', 5000);
      await store.revokeJti('j1', 5000);
      assert.equal(await store.isJtiRevoked('j1'), true);
      await store.revokeJti('j2', 9000);
      assert.equal(await store.deleteExpiredRevocations(5000), 0, 'not before it expires');
      assert.equal(await store.deleteExpiredRevocations(6000), 1);
      assert.equal(await store.isJtiRevoked('j1'), false);
      assert.equal(await store.isJtiRevoked('j2'), true);
    });

    describe('document entities', () => documentContract(() => store));
    describe('upstream identities', () => federationContract(() => store));

    describe('device authorizations', () => deviceAuthorizationContract(() => store));
    describe('second factors', () => factorContract(() => store));

    describe('audit log', () => {
      const event = (at: number, overrides: Partial<AuditEvent> = {}): AuditEvent => ({
        type: 'token.issued',
        outcome: 'success',
        at,
        clientId: 'calendar-app',
        subject: 'u1',
        scopes: ['read:calendars'],
        tokenKind: 'access_token',
        details: { grantType: 'client_credentials', nested: { b: 1, a: [1, 'x'] } },
        ...overrides,
      });
      const verify = async () => {
        const { anchor, head } = await store.auditChainState();
        return verifyChain(await store.readAuditChain(anchor.sequence, 10_000), anchor, head);
      };

      it('starts empty at genesis', async () => {
        assert.deepEqual(await store.auditChainState(), { anchor: GENESIS, head: GENESIS });
        assert.deepEqual(await store.readAuditChain(0, 10), []);
        assert.deepEqual(await store.appendAuditEvents([]), GENESIS);
      });

      it('appends events in order, numbered and chained, and reads them back exactly', async () => {
        const events = [event(1000), event(1001, { type: 'signin.failed', outcome: 'failure', reason: 'wrong_credentials' })];
        const newHead = await store.appendAuditEvents(events);
        const written = chainRecords(GENESIS, events);
        assert.deepEqual(newHead, { sequence: 2, hash: written[1]!.hash });
        assert.deepEqual(
          written.map((r) => r.sequence),
          [1, 2],
        );
        assert.equal(written[0]!.prevHash, GENESIS.hash);
        assert.equal(written[1]!.prevHash, written[0]!.hash);
        // Read back with the searched columns as stored: what verification checks the documents against.
        assert.deepEqual(
          await store.readAuditChain(0, 10),
          written.map((r) => ({ ...r, indexed: indexedColumns(r) })),
        );
        assert.deepEqual((await store.auditChainState()).head, { sequence: 2, hash: written[1]!.hash });
        assert.deepEqual(await verify(), { ok: true, count: 2, head: { sequence: 2, hash: written[1]!.hash } });
      });

      it('keeps one chain when appends race', async () => {
        await Promise.all(Array.from({ length: 10 }, (_, i) => store.appendAuditEvents([event(2000 + i), event(2000 + i), event(2000 + i)])));
        const chain = await store.readAuditChain(0, 1000);
        assert.deepEqual(
          chain.map((r) => r.sequence),
          Array.from({ length: 32 }, (_, i) => i + 1),
        );
        const verdict = await verify();
        assert.equal(verdict.ok, true, JSON.stringify(verdict));
      });

      it('queries by every filter, newest first, a page at a time', async () => {
        await store.appendAuditEvents([
          event(5000, { type: 'consent.granted', actor: { type: 'user', id: 'u7' }, subject: 'u7', clientId: 'todo-app' }),
          event(5001, { type: 'client.authentication_failed', outcome: 'failure', clientId: 'todo-app', subject: undefined }),
          event(5002, { type: 'key.rotated', actor: { type: 'admin', id: 'cli' }, clientId: undefined, subject: undefined }),
        ]);
        const q = (filter: Parameters<Store['queryAuditEvents']>[0], before?: number) =>
          store.queryAuditEvents(filter, { limit: 100, ...(before !== undefined ? { before } : {}) });
        assert.deepEqual(
          (await q({ clientId: 'todo-app' })).map((r) => r.sequence),
          [34, 33],
        );
        assert.deepEqual(
          (await q({ type: 'consent.granted' })).map((r) => r.subject),
          ['u7'],
        );
        assert.deepEqual(
          (await q({ actorId: 'cli' })).map((r) => r.type),
          ['key.rotated'],
        );
        assert.deepEqual(
          (await q({ subject: 'u7' })).map((r) => r.sequence),
          [33],
        );
        assert.deepEqual(
          (await q({ outcome: 'failure' })).map((r) => r.sequence),
          [34, 2],
        );
        assert.deepEqual(
          (await q({ from: 5001, to: 5002 })).map((r) => r.sequence),
          [34],
        );
        assert.deepEqual(
          (await q({ clientId: 'todo-app', outcome: 'success' })).map((r) => r.sequence),
          [33],
        );
        assert.deepEqual(
          (await store.queryAuditEvents({}, { limit: 2 })).map((r) => r.sequence),
          [35, 34],
        );
        assert.deepEqual(
          (await store.queryAuditEvents({}, { limit: 2, before: 34 })).map((r) => r.sequence),
          [33, 32],
        );
        const [latest] = await q({ type: 'key.rotated' });
        assert.deepEqual(latest?.actor, { type: 'admin', id: 'cli' });
      });

      it('prunes the oldest records and keeps the rest verifiable from the anchor', async () => {
        const before = await store.readAuditChain(0, 1000);
        assert.equal(await store.pruneAuditEvents(2000), 2);
        assert.deepEqual((await store.auditChainState()).anchor, { sequence: 2, hash: before[1]!.hash });
        assert.equal((await store.readAuditChain(0, 1000))[0]?.sequence, 3);
        assert.equal(await store.pruneAuditEvents(2000), 0, 'nothing older left');
        const verdict = await verify();
        assert.equal(verdict.ok, true, JSON.stringify(verdict));
        await store.appendAuditEvents([event(6000)]);
        assert.equal(await store.pruneAuditEvents(10_000), 34);
        const state = await store.auditChainState();
        assert.deepEqual(state.anchor, state.head, 'everything pruned: the anchor is the head');
        assert.equal((await verify()).ok, true);
        const next = await store.appendAuditEvents([event(7000)]);
        assert.equal(next.sequence, 37);
        assert.equal((await verify()).ok, true);
      });
    });

    it('lets exactly one caller use a marker, and reuses it after it expires', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => store.useOnce('m1', 200, 100)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await store.useOnce('m1', 300, 150), false);
      assert.equal(await store.useOnce('m1', 300, 200), true);
      assert.equal(await store.useOnce('m2', 500, 200), true);
      assert.equal(await store.deleteExpiredMarkers(299), 0);
      assert.equal(await store.deleteExpiredMarkers(300), 1, 'm1 is gone, m2 is kept');
      assert.equal(await store.useOnce('m2', 600, 300), false);
    });
    outboxContract(() => store);
  });
}
