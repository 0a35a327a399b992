/**
 * The store contract's part for upstream sign-in: identity providers, identities
 * linked by (provider, upstream subject), and finding users by email for linking.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { FederatedIdentity, IdentityProvider } from '../../core/model.js';
import type { Store } from '../../core/ports/storage.js';

const provider: IdentityProvider = {
  id: 'corp',
  name: 'Corp',
  type: 'oidc',
  issuer: 'https://idp.corp.test',
  clientId: 'tessera',
  clientSecretEncrypted: 'enc',
  clientAuthMethod: 'client_secret_basic',
  scopes: ['openid', 'email'],
  userinfo: false,
  trustEmail: true,
  mapping: { subject: 'sub', email: 'email' },
  roleMappings: [{ claim: 'groups', value: 'admins', roles: ['admin'] }],
  attributes: { tenant: 'org' },
  enabled: true,
};

export function federationContract(store: () => Store): void {
  it('upserts, lists and deletes identity providers', async () => {
    const s = store();
    await s.upsertIdentityProvider(provider);
    await s.upsertIdentityProvider({ ...provider, id: 'acme', name: 'Acme' });
    assert.deepEqual(await s.getIdentityProvider('corp'), provider);
    await s.upsertIdentityProvider({ ...provider, name: 'Corp SSO' });
    assert.equal((await s.getIdentityProvider('corp'))?.name, 'Corp SSO');
    assert.deepEqual(
      (await s.listIdentityProviders()).map((p) => p.id),
      ['acme', 'corp'],
    );
    assert.equal(await s.deleteIdentityProvider('acme'), true);
    assert.equal(await s.deleteIdentityProvider('acme'), false);
    assert.equal(await s.getIdentityProvider('acme'), undefined);
  });

  it('links identities once per (provider, subject), lists, updates and unlinks them', async () => {
    const s = store();
    const user = await s.upsertUser({ id: 'u-fed', username: 'fed', active: true, roles: [] });
    const identity: FederatedIdentity = { providerId: 'corp', subject: 'up-1', userId: user.id, createdAt: 10 };
    assert.equal(await s.insertFederatedIdentity(identity), true);
    assert.equal(await s.insertFederatedIdentity({ ...identity, userId: 'someone-else' }), false);
    assert.deepEqual(await s.findFederatedIdentity('corp', 'up-1'), identity);
    assert.equal(await s.findFederatedIdentity('corp', 'up-2'), undefined);
    await s.insertFederatedIdentity({ ...identity, subject: 'up-2', createdAt: 11 });
    await s.updateFederatedIdentity({ ...identity, lastSignInAt: 20, email: 'fed@corp.test' });
    assert.equal((await s.findFederatedIdentity('corp', 'up-1'))?.lastSignInAt, 20);
    assert.deepEqual(
      (await s.listUserIdentities(user.id)).map((i) => i.subject),
      ['up-1', 'up-2'],
    );
    assert.equal(await s.deleteFederatedIdentity('someone-else', 'corp', 'up-2'), false);
    assert.equal(await s.deleteFederatedIdentity(user.id, 'corp', 'up-2'), true);
    assert.equal(await s.deleteFederatedIdentity(user.id, 'corp', 'up-2'), false);
  });

  it("deletes a user's and a provider's linked identities with them", async () => {
    const s = store();
    const user = await s.upsertUser({ id: 'u-fed2', username: 'fed2', active: true, roles: [] });
    await s.upsertIdentityProvider({ ...provider, id: 'gone' });
    await s.insertFederatedIdentity({ providerId: 'gone', subject: 'x', userId: user.id, createdAt: 1 });
    await s.insertFederatedIdentity({ providerId: 'corp', subject: 'y', userId: user.id, createdAt: 1 });
    await s.deleteIdentityProvider('gone');
    assert.equal(await s.findFederatedIdentity('gone', 'x'), undefined);
    await s.deleteUser(user.id);
    assert.equal(await s.findFederatedIdentity('corp', 'y'), undefined);
  });

  it('finds users by email, case-insensitively', async () => {
    const s = store();
    await s.upsertUser({ id: 'u-mail1', username: 'mail1', email: 'Ann@Example.test', active: true, roles: [] });
    await s.upsertUser({ id: 'u-mail2', username: 'mail2', email: 'bob@example.test', active: true, roles: [] });
    assert.deepEqual(
      (await s.listUsersByEmail('ann@example.TEST')).map((u) => u.username),
      ['mail1'],
    );
    assert.deepEqual(await s.listUsersByEmail('nobody@example.test'), []);
  });
}
