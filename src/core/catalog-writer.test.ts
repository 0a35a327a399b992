import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqliteStore } from '../stores/sqlite/sqlite-store.js';
import { Catalog } from './catalog.js';
import { CatalogWriter } from './catalog-writer.js';
import { LocalChangeFeed } from './changes/local-change-feed.js';
import { FrozenClock } from './clock.js';
import type { Api, Client } from './model.js';
import type { Change } from './ports/change-feed.js';

const api: Api = {
  identifier: 'https://api.example.test',
  name: 'Example',
  scopes: [{ name: 'read', description: 'Read' }],
  format: 'jwt',
  ttl: 600,
  alg: 'ES256',
};

async function setup() {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  // A long TTL: only the writer's invalidation can make a cached copy go.
  const catalog = new Catalog(store, { ttlSeconds: 3600 });
  const changes = new LocalChangeFeed();
  const published: Change[] = [];
  changes.subscribe((change) => published.push(change));
  let keyChecks = 0;
  const clock = new FrozenClock(1_000);
  const writer = new CatalogWriter({ store, catalog, changes, clock, ensureKeys: async () => void (keyChecks += 1) });
  return { store, catalog, writer, published, clock, keyChecks: () => keyChecks };
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
    const client: Client = {
      clientId: 'c1',
      name: 'One',
      type: 'public',
      tokenEndpointAuthMethod: 'none',
      secrets: [],
      redirectUris: [],
      grantTypes: [],
      permissions: {},
      introspection: 'own',
    };
    await store.upsertClient(client);
    assert.equal((await catalog.client('c1'))?.clientId, 'c1');
    assert.equal(await writer.deleteClient('c1'), true);
    assert.equal(await catalog.client('c1'), undefined);
    const count = published.length;
    assert.equal(await writer.deleteClient('c1'), false);
    assert.equal(published.length, count);
    await store.close();
  });

  it('stamps a new client with its creation time, keeps it across edits, and restamps one re-created under the same id', async () => {
    const { store, writer, clock } = await setup();
    const client: Client = {
      clientId: 'c2',
      name: 'Two',
      type: 'public',
      tokenEndpointAuthMethod: 'none',
      secrets: [],
      redirectUris: [],
      grantTypes: [],
      permissions: {},
      introspection: 'own',
    };
    await writer.saveClient(client);
    assert.equal((await store.getClient('c2'))?.createdAt, 1_000);
    clock.advance(10);
    await writer.saveClient({ ...client, name: 'Two, renamed', createdAt: 5 }); // an edit: the caller's value is ignored
    assert.equal((await store.getClient('c2'))?.createdAt, 1_000);
    await writer.deleteClient('c2');
    clock.advance(10);
    await writer.saveClient(client);
    assert.equal((await store.getClient('c2'))?.createdAt, 1_020);
    // Saved before the field existed: edits leave it without one.
    await store.upsertClient({ ...client, clientId: 'old' });
    await writer.saveClient({ ...client, clientId: 'old', name: 'Old' });
    assert.equal((await store.getClient('old'))?.createdAt, undefined);
    await store.close();
  });
});
