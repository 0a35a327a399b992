/** `tessera identity-providers` on the local store: the redirect URI shown, the secret never. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inProcess, json } from './run-cli.js';

describe('tessera identity-providers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-idp-'));
  const local = (...argv: string[]) => inProcess(...argv, '--data', join(dir, 'data'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('adds, shows, updates and deletes a provider', async () => {
    const body = JSON.stringify({
      id: 'corp',
      name: 'Corp',
      type: 'oidc',
      issuer: 'https://login.corp.test',
      clientId: 'tessera',
      clientSecret: 'cli-upstream-secret-1',
    });
    const created = await local('identity-providers', 'create', '--json-body', body, '--issuer', 'https://id.example.test');
    assert.equal(created.code, 0, created.err);
    assert.match(created.err, /register https:\/\/id\.example\.test\/upstream\/corp\/callback at the provider/);
    assert.match(created.out, /client secret\s+set \(never shown\)/);
    assert.doesNotMatch(created.out + created.err, /cli-upstream-secret-1/);
    const updated = await local('identity-providers', 'update', 'corp', '--json-body', '{"name":"Corp SSO"}', '--json');
    assert.equal(updated.code, 0, updated.err);
    assert.equal(json(updated).name, 'Corp SSO');
    assert.equal(json(updated).hasClientSecret, true);
    const listed = await local('identity-providers', 'list');
    assert.match(listed.out, /corp\s+Corp SSO\s+oidc\s+true/);
    const exported = await local('export');
    assert.match(exported.out, /clientSecretEncrypted:/);
    assert.doesNotMatch(exported.out, /cli-upstream-secret-1/);
    assert.equal((await local('identity-providers', 'delete', 'corp')).code, 0);
    assert.equal((await local('identity-providers', 'get', 'corp')).code, 1);
  });
});
