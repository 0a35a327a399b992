import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client, ClientSecret } from '../model.js';
import { VerifiedSecrets } from './verified-secrets.js';

const client = (secrets: ClientSecret[]) => ({ clientId: 'c', secrets }) as unknown as Client;

describe('VerifiedSecrets', () => {
  it('knows only the secret that last verified, for that client object', () => {
    const stored: ClientSecret = { hash: 'h' } as ClientSecret;
    const a = client([stored]);
    const verified = new VerifiedSecrets();
    assert.equal(verified.matches(a, 's3cret', 0), false);
    verified.remember(a, 's3cret', stored);
    assert.equal(verified.matches(a, 's3cret', 0), true);
    assert.equal(verified.matches(a, 's3cre', 0), false);
    assert.equal(verified.matches(a, 's3cret ', 0), false);
    // The same client reloaded (a secret rotated, the client recreated) is another object: nothing is known about it.
    assert.equal(verified.matches(client([stored]), 's3cret', 0), false);
  });

  it('forgets a secret once it expires or is no longer among the client secrets', () => {
    const expiring: ClientSecret = { hash: 'h', expiresAt: 100 } as ClientSecret;
    const a = client([expiring]);
    const verified = new VerifiedSecrets();
    verified.remember(a, 's3cret', expiring);
    assert.equal(verified.matches(a, 's3cret', 99), true);
    assert.equal(verified.matches(a, 's3cret', 100), false);
    const kept: ClientSecret = { hash: 'h' } as ClientSecret;
    const b = client([kept]);
    verified.remember(b, 'other', kept);
    b.secrets.splice(0, 1);
    assert.equal(verified.matches(b, 'other', 0), false);
  });
});
