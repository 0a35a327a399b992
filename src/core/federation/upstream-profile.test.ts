import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IdentityProvider } from '../model.js';
import { mappedAttributes, mappedRoles, toProfile } from './upstream-profile.js';

const provider: IdentityProvider = {
  id: 'corp',
  name: 'Corp',
  type: 'oidc',
  issuer: 'https://idp.test',
  clientId: 'c',
  clientAuthMethod: 'none',
  scopes: ['openid'],
  userinfo: false,
  trustEmail: true,
  enabled: true,
  mapping: { subject: 'sub', username: 'preferred_username', name: 'name', email: 'email', emailVerified: 'email_verified' },
  roleMappings: [
    { claim: 'groups', value: 'admins', roles: ['admin'] },
    { claim: 'org.plan', value: 'pro', roles: ['pro'] },
  ],
  attributes: { tenant: 'org.id', department: 'dept' },
};

test('maps the fields; email_verified counts only when asserted', () => {
  assert.deepEqual(toProfile(provider, { sub: 's1', preferred_username: 'ann', email: 'ann@x.test', email_verified: true }), {
    subject: 's1',
    username: 'ann',
    email: 'ann@x.test',
    emailVerified: true,
    claims: { sub: 's1', preferred_username: 'ann', email: 'ann@x.test', email_verified: true },
  });
  assert.equal(toProfile(provider, { sub: 's1', email: 'ann@x.test', email_verified: 'yes' }).emailVerified, false);
  assert.equal(toProfile(provider, { sub: 's1', email: 'ann@x.test' }).emailVerified, false);
  assert.equal(toProfile({ ...provider, mapping: { subject: 'id' } }, { id: 4711 }).subject, '4711');
  assert.throws(() => toProfile(provider, { email: 'x@y.test' }), /no usable "sub"/);
});

test('role rules grant and take away only the roles they mention', () => {
  assert.deepEqual(mappedRoles(provider, { groups: ['staff', 'admins'] }, ['local', 'pro']), ['local', 'admin']);
  assert.deepEqual(mappedRoles(provider, { groups: 'admins', org: { plan: 'pro' } }, []), ['admin', 'pro']);
  assert.deepEqual(mappedRoles({ ...provider, roleMappings: [] }, { groups: ['admins'] }, ['x']), ['x']);
});

test('attributes are refreshed from the claims; too large leaves them as they were', () => {
  assert.deepEqual(mappedAttributes(provider, { org: { id: 'acme' } }, { department: 'old', own: 1 }), { own: 1, tenant: 'acme' });
  assert.equal(mappedAttributes(provider, { dept: 'x'.repeat(9000) }, {}), undefined);
  assert.equal(mappedAttributes({ ...provider, attributes: {} }, {}, {}), undefined);
});
