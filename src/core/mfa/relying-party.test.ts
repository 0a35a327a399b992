import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { relyingPartyFor } from './relying-party.js';

describe('relying party', () => {
  it('follows the issuer by default: its host name, its origin, its host as the name', () => {
    assert.deepEqual(relyingPartyFor('https://id.example.com/auth'), { id: 'id.example.com', origins: ['https://id.example.com'], name: 'id.example.com' });
    assert.deepEqual(relyingPartyFor('http://localhost:8080'), { id: 'localhost', origins: ['http://localhost:8080'], name: 'localhost:8080' });
  });

  it('takes a parent domain and other origins on it (behind a proxy, or passkeys shared across subdomains)', () => {
    const rp = relyingPartyFor('https://id.example.com', {
      rpId: 'Example.com',
      rpName: 'Example',
      origins: ['https://login.example.com', 'https://id.example.com/'],
    });
    assert.deepEqual(rp, { id: 'example.com', origins: ['https://login.example.com', 'https://id.example.com'], name: 'Example' });
  });

  it('refuses what no browser would accept, at construction', () => {
    assert.throws(() => relyingPartyFor('https://id.example.com', { rpId: 'other.com' }), /neither the issuer's host/);
    assert.throws(() => relyingPartyFor('https://id.example.com', { rpId: 'ple.com' }), /neither the issuer's host/, 'a suffix is not a parent domain');
    assert.throws(() => relyingPartyFor('https://id.example.com', { origins: ['https://evil.test'] }), /not on the relying party/);
    assert.throws(() => relyingPartyFor('https://id.example.com', { origins: ['https://id.example.com/path'] }), /origin only/);
    assert.throws(() => relyingPartyFor('https://id.example.com', { origins: ['not a url'] }), /not a URL/);
  });
});
