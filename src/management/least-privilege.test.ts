import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addedPermissions, notHeld, notHeldPermissions, type Holdings } from './least-privilege.js';

const M = 'https://issuer.test/api/v1';
const A = 'https://api.test';

describe('least privilege', () => {
  const user: Holdings = { permissions: { [M]: ['write:roles'], [A]: ['read'] }, everyOtherApi: false };
  const admin: Holdings = { permissions: { [M]: ['write:roles'] }, everyOtherApi: true };

  it('holds what is listed, and for the administrator every other API', () => {
    assert.deepEqual(notHeld(user, A, ['read', 'write']), ['write']);
    assert.deepEqual(notHeld(user, 'https://other.test', ['x']), ['x']);
    assert.deepEqual(notHeld(admin, A, ['read', 'write']), []);
    assert.deepEqual(notHeld(admin, M, ['write:roles', 'write:users']), ['write:users'], 'on the management API, only its token');
    assert.deepEqual(notHeldPermissions(user, { [M]: ['write:users'], [A]: ['read'] }), [`${M} write:users`]);
  });

  it('counts only what a change adds', () => {
    assert.deepEqual(addedPermissions({ [A]: ['read', 'write'] }, { [A]: ['read'], [M]: ['read:users'] }), { [M]: ['read:users'] });
    assert.deepEqual(addedPermissions(undefined, { [A]: ['read'] }), { [A]: ['read'] });
    assert.deepEqual(addedPermissions({ [A]: ['read'] }, { [A]: ['read'] }), {});
  });
});
