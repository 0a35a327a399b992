import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClientIdUrl } from './client-id-url.js';
import { clientFromDocument } from './document.js';
import { cacheSeconds } from './resolver.js';

describe('client ID metadata documents (unit)', () => {
  it('accepts only https URLs with a path, without fragment, credentials or dot segments', () => {
    assert.ok(parseClientIdUrl('https://agent.example/client.json') instanceof URL);
    for (const [id, reason] of [
      ['http://agent.example/client.json', /https/],
      ['https://agent.example', /path/],
      ['https://agent.example/', /path/],
      ['https://agent.example/c.json#x', /fragment/],
      ['https://user:pw@agent.example/c.json', /user name/],
      ['https://agent.example/a/../c.json', /dot path/],
      ['https://agent.example/a/%2e%2e/c.json', /dot path/],
      ['https://AGENT.example/c.json', /normalised/],
    ] as const) {
      assert.match(String(parseClientIdUrl(id)), reason, id);
    }
  });

  it('keeps a document as long as Cache-Control says, within bounds', () => {
    const bounds = { min: 60, max: 86_400, fallback: 3600 };
    assert.equal(cacheSeconds(undefined, bounds), 3600);
    assert.equal(cacheSeconds('public, max-age=600', bounds), 600);
    assert.equal(cacheSeconds('max-age=5', bounds), 60);
    assert.equal(cacheSeconds('max-age=99999999', bounds), 86_400);
    assert.equal(cacheSeconds('no-store', bounds), 60);
  });

  it('turns a document into an unverified public client', () => {
    const id = 'https://agent.example/client.json';
    const { client } = clientFromDocument(id, JSON.stringify({ client_id: id, redirect_uris: ['http://localhost:3000/cb'] }), { permissions: {} });
    assert.equal(client.name, 'agent.example', 'no client_name: its host');
    const tricked = clientFromDocument(
      id,
      JSON.stringify({ client_id: id, client_name: 'Safe App\u202Egnp.exe\n', redirect_uris: ['http://localhost:3000/cb'] }),
      { permissions: {} },
    );
    assert.equal(tricked.client.name, 'Safe Appgnp.exe', 'bidirectional overrides and control characters are dropped from the name');
    assert.equal(client.type, 'public');
    assert.equal(client.tokenEndpointAuthMethod, 'none');
    assert.deepEqual(client.grantTypes, ['authorization_code']);
    assert.equal(client.metadataDocument, true);
    assert.throws(() => clientFromDocument(id, '[]', { permissions: {} }), /not a JSON object/);
    assert.throws(() => clientFromDocument(id, JSON.stringify({ client_id: id, redirect_uris: ['http://evil.example/cb'] }), { permissions: {} }), /loopback/);
    assert.throws(() => clientFromDocument(id, JSON.stringify({ client_id: id, redirect_uris: [CALLBACK_WITH_FRAGMENT] }), { permissions: {} }), /fragment/);
    assert.throws(
      () =>
        clientFromDocument(id, JSON.stringify({ client_id: id, redirect_uris: ['https://a.example/cb'], grant_types: ['client_credentials'] }), {
          permissions: {},
        }),
      /client_credentials/,
    );
  });
});

const CALLBACK_WITH_FRAGMENT = 'https://a.example/cb#frag';
