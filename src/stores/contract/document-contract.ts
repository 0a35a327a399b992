/**
 * The store contract's part for what every document entity shares (src/stores/
 * document-tables.ts): lists in byte order whatever the database's locale, searched
 * columns that follow the document on every upsert, documents read back byte for byte
 * (management ETags are hashes of them), and changes to a row that belongs to someone
 * made only by them, and compare-and-set writes (the management API's If-Match) of
 * which exactly one of two racing writers wins. Removes what it adds, so the other
 * parts' counts hold.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { StaleWriteError } from '../../core/errors.js';
import type { IdentityProvider } from '../../core/model.js';
import type { Store } from '../../core/ports/storage.js';

/** Upper case sorts before lower case in byte order, not in most locales. */
const NAMES = ['kit-b', 'Kit-B', 'kit-a'];
const BYTE_ORDER = ['Kit-B', 'kit-a', 'kit-b'];

const provider = (id: string): IdentityProvider => ({
  id,
  name: id,
  type: 'oauth2',
  clientId: 'tessera',
  clientAuthMethod: 'client_secret_basic',
  scopes: [],
  userinfo: false,
  trustEmail: false,
  mapping: { subject: 'id' },
  roleMappings: [],
  attributes: {},
  enabled: true,
});

export function documentContract(store: () => Store): void {
  it('lists every document entity in byte order', async () => {
    const s = store();
    const mine = (ids: string[]) => ids.filter((id) => NAMES.includes(id));
    for (const name of NAMES) {
      await s.upsertApi({ identifier: name, name, scopes: [], format: 'jwt', ttl: 60, alg: 'ES256' });
      await s.upsertRole({ name, permissions: {} });
      await s.upsertUser({ id: `id-${name}`, username: name, active: true, roles: [] });
      await s.upsertServiceAccount({ id: `id-${name}`, name, roles: [], active: true, createdAt: 1 });
      await s.upsertIdentityProvider(provider(name));
      await s.upsertConsent({ userId: 'kit-user', clientId: name, scopes: [], createdAt: 1, updatedAt: 1 });
    }
    assert.deepEqual(mine((await s.listApis()).map((a) => a.identifier)), BYTE_ORDER, 'APIs');
    assert.deepEqual(mine((await s.listRoles()).map((r) => r.name)), BYTE_ORDER, 'roles');
    assert.deepEqual(mine((await s.listUsers()).map((u) => u.username)), BYTE_ORDER, 'users');
    assert.deepEqual(mine((await s.listServiceAccounts()).map((a) => a.name)), BYTE_ORDER, 'service accounts');
    assert.deepEqual(mine((await s.listIdentityProviders()).map((p) => p.id)), BYTE_ORDER, 'identity providers');
    assert.deepEqual(
      (await s.listConsents('kit-user')).map((c) => c.clientId),
      BYTE_ORDER,
      'consents',
    );
    for (const name of NAMES) {
      assert.equal(await s.deleteApi(name), true);
      assert.equal(await s.deleteRole(name), true);
      assert.equal(await s.deleteUser(`id-${name}`), true);
      assert.equal(await s.deleteServiceAccount(`id-${name}`), true);
      assert.equal(await s.deleteIdentityProvider(name), true);
      assert.equal(await s.deleteConsent('kit-user', name), true);
    }
  });

  it("keeps a document's searched columns in step with it on every upsert", async () => {
    const s = store();
    const user = await s.upsertUser({ id: 'kit-u1', username: 'kit-mover', email: 'Old@Kit.test', active: true, roles: [] });
    await s.upsertUser({ ...user, id: 'ignored', email: 'new@kit.test' });
    assert.deepEqual(await s.findUsersByEmail('old@kit.test'), [], 'the old address finds nobody');
    assert.deepEqual(
      (await s.findUsersByEmail('NEW@kit.test')).map((u) => u.id),
      ['kit-u1'],
    );
    await s.upsertUser({ ...user, email: undefined });
    assert.deepEqual(await s.findUsersByEmail('new@kit.test'), [], 'nor does an address removed');
    assert.equal(await s.deleteUser('kit-u1'), true);
  });

  it('reads a document back exactly as written, so an ETag taken from it holds', async () => {
    const s = store();
    // Keys out of alphabetical order, non-ASCII text and an empty object: what JSONB or a
    // re-encoding would change.
    const role = { permissions: { 'https://z.test': ['b', 'a'], 'https://a.test': [] }, name: 'kit-exact', description: 'Lesen – ändern ✓', extra: {} };
    await s.upsertRole(role);
    assert.equal(JSON.stringify(await s.getRole('kit-exact')), JSON.stringify(role));
    assert.equal(JSON.stringify((await s.listRoles()).find((r) => r.name === 'kit-exact')), JSON.stringify(role));
    assert.equal(await s.deleteRole('kit-exact'), true);
  });

  it('changes a linked identity only for the user it is linked to', async () => {
    const s = store();
    const identity = { providerId: 'kit-idp', subject: 'kit-s1', userId: 'kit-owner', createdAt: 3 };
    assert.equal(await s.insertFederatedIdentity(identity), true);
    await s.updateFederatedIdentity({ ...identity, userId: 'kit-intruder', email: 'intruder@kit.test' });
    assert.deepEqual(await s.findFederatedIdentity('kit-idp', 'kit-s1'), identity);
    assert.deepEqual(await s.listUserIdentities('kit-intruder'), []);
    assert.equal(await s.deleteFederatedIdentity('kit-owner', 'kit-idp', 'kit-s1'), true);
  });

  it('replaces a document only while it is the one read (compare-and-set), its columns following', async () => {
    const s = store();
    const read = await s.upsertUser({ id: 'kit-cas', username: 'kit-cas', email: 'cas@kit.test', active: true, roles: [] });
    const renamed = { ...read, username: 'kit-cas-renamed', email: 'renamed@kit.test' };
    await s.replaceIf('user', read, renamed);
    assert.deepEqual(await s.getUserByUsername('kit-cas-renamed'), renamed, 'renamed in place, under the same id');
    assert.equal(await s.getUserByUsername('kit-cas'), undefined);
    assert.deepEqual(
      (await s.findUsersByEmail('renamed@kit.test')).map((u) => u.id),
      ['kit-cas'],
    );
    await assert.rejects(s.replaceIf('user', read, { ...read, active: false }), StaleWriteError, 'what was read is no longer stored');
    assert.deepEqual(await s.getUser('kit-cas'), renamed, 'and nothing was written');
    await assert.rejects(s.deleteIf('user', read), StaleWriteError);
    assert.equal(await s.deleteUser('kit-cas'), true);
    await assert.rejects(s.replaceIf('user', renamed, renamed), StaleWriteError, 'gone');
  });

  it('lets exactly one of two writers that read the same version win', async () => {
    const s = store();
    await s.upsertRole({ name: 'kit-race', permissions: {} });
    const read = (await s.getRole('kit-race'))!;
    const writers = ['first', 'second'].map((description) => s.replaceIf('role', read, { ...read, description }));
    const results = await Promise.allSettled(writers);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'one wins');
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.ok(lost.reason instanceof StaleWriteError, 'the other is told it read a stale version');
    const winner = ['first', 'second'][results.findIndex((r) => r.status === 'fulfilled')];
    assert.equal((await s.getRole('kit-race'))?.description, winner);
    assert.equal(await s.deleteRole('kit-race'), true);
  });

  it('deletes a document and what belongs to it only while it is the one read', async () => {
    const s = store();
    const read = await s.upsertUser({ id: 'kit-del', username: 'kit-del', active: true, roles: [] });
    const identity = { providerId: 'kit-idp', subject: 'kit-del-s', userId: 'kit-del', createdAt: 3 };
    assert.equal(await s.insertFederatedIdentity(identity), true);
    await s.upsertUser({ ...read, name: 'Changed meanwhile' });
    await assert.rejects(s.deleteIf('user', read), StaleWriteError);
    assert.deepEqual(await s.findFederatedIdentity('kit-idp', 'kit-del-s'), identity, 'what belongs to it stays');
    const current = (await s.getUser('kit-del'))!;
    await s.deleteIf('user', current);
    assert.equal(await s.getUser('kit-del'), undefined);
    assert.equal(await s.findFederatedIdentity('kit-idp', 'kit-del-s'), undefined, 'deleted with it');
    await assert.rejects(s.deleteIf('user', current), StaleWriteError, 'gone');
  });
}
