import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimMappingProblem, mapClaims, readPath } from './claim-mapping.js';

const source = { id: 'u1', username: 'ann', email: 'ann@x.test', roles: ['admin'], attributes: { tenant: 'acme', org: { unit: 'sales' } } };

test('maps fields, attributes and nested attribute paths; absent values are left out', () => {
  const claims = mapClaims(
    {
      roles: 'user.roles',
      tenant: 'user.attributes.tenant',
      unit: 'user.attributes.org.unit',
      missing: 'user.attributes.nope',
      name: 'user.name',
      ev: 'user.email_verified',
    },
    source,
  );
  assert.deepEqual(claims, { roles: ['admin'], tenant: 'acme', unit: 'sales', ev: false });
});

test('reserved claims are refused at validation and skipped at mapping', () => {
  for (const name of ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'scope', 'client_id', 'cnf']) {
    assert.match(claimMappingProblem(name, 'user.roles') ?? '', /reserved/);
  }
  assert.deepEqual(mapClaims({ sub: 'user.username', scope: 'user.roles' }, source), {});
});

test('expressions other than user fields are refused', () => {
  assert.equal(claimMappingProblem('roles', 'user.roles'), undefined);
  assert.match(claimMappingProblem('x', 'client.id') ?? '', /not an expression/);
  assert.equal(readPath({ a: 1 }, '__proto__'), undefined);
  assert.equal(readPath({ a: [1] }, 'a.0'), undefined);
});
