import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqliteStore } from '../stores/sqlite/sqlite-store.js';
import { Catalog } from './catalog.js';
import { CatalogWriter } from './catalog-writer.js';
import { LocalChangeFeed } from './changes/local-change-feed.js';
import type { Api, Client } from './model.js';
import type { Change } from './ports/change-feed.js';

const api: Api = { identifier: 'https://api.example.test', name: 'Example', scopes: [{ name: 'read', description: 'Read' }], format: 'jwt', ttl: 600, alg: 'ES256' };

async function setup() {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  // A long TTL: only the writer's invalidation can make a cached copy go.
  const catalog = new Catalog(store, { ttlSeconds: 3600 });
  const changes = new LocalChangeFeed();
  const published: Change[] = [];
  changes.subscribe((change) => published.push(change));
  let keyChecks = 0;
  const writer = new CatalogWriter({ store, catalog, changes, ensureKeys: async () => void (keyChecks += 1) });
  return { store, catalog, writer, published, keyChecks: () => keyChecks };
}

describe('CatalogWriter', () => {
  it('saves an API, drops the cached copy, publishes the change and checks the keys', async () => {
    const { store, catalog, writer, published, keyChecks } = await setup();
    assert.equal(await catalog.api(api.identifier), undefined); // the miss is cached
    await writer.saveApi(api);
    assert.deepEqual(await catalog.api(api.identifier), api);
    assert.deepEqual(published.map((c) => (c.kind === 'changed' ? c.topic : c.kind)).sort(), ['api', 'client']);
    assert.equal(keyChecks(), 1);
    await store.close();
  });

  it('deletes a client and drops it from the catalog; deleting nothing publishes nothing', async () => {
    const { store, catalog, writer, published } = await setup();
    const client: Client = { clientId: 'c1', name: 'One', type: 'public', tokenEndpointAuthMethod: 'none', secrets: [], redirectUris: [], grantTypes: [], permissions: {}, introspection: 'own' };
    await store.upsertClient(client);
    assert.equal((await catalog.client('c1'))?.clientId, 'c1');
    assert.equal(await writer.deleteClient('c1'), true);
    assert.equal(await catalog.client('c1'), undefined);
    const count = published.length;
    assert.equal(await writer.deleteClient('c1'), false);
    assert.equal(published.length, count);
    await store.close();
  });
});
