import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Catalog } from './catalog.js';
import type { Client } from './model.js';
import type { ApiRepository, ClientRepository } from './ports/storage.js';

function repo(clients: Map<string, Partial<Client>>, gate?: Promise<void>) {
  let reads = 0;
  const store = {
    async getClient(id: string) {
      reads += 1;
      const value = clients.get(id);
      await gate;
      return value as Client | undefined;
    },
    async getApi() {
      return undefined;
    },
  } as unknown as ApiRepository & ClientRepository;
  return { store, reads: () => reads };
}

describe('catalog', () => {
  it('serves from cache until invalidated for that entity', async () => {
    const clients = new Map([['a', { clientId: 'a', name: 'A' }]]);
    const { store, reads } = repo(clients);
    const catalog = new Catalog(store, { ttlSeconds: 60 });
    await catalog.client('a');
    clients.set('a', { clientId: 'a', name: 'A2' });
    assert.equal((await catalog.client('a'))?.name, 'A');
    catalog.invalidate('client', 'a');
    assert.equal((await catalog.client('a'))?.name, 'A2');
    assert.equal(reads(), 2);
  });
  it('does not keep a read that began before an invalidation', async () => {
    const clients = new Map([['a', { clientId: 'a', name: 'old' }]]);
    let open!: () => void;
    const { store } = repo(clients, new Promise<void>((resolve) => (open = resolve)));
    const catalog = new Catalog(store, { ttlSeconds: 60 });
    const slow = catalog.client('a'); // reads "old", then waits
    clients.set('a', { clientId: 'a', name: 'new' });
    catalog.invalidate('client', 'a'); // the change message arrives meanwhile
    open();
    assert.equal((await slow)?.name, 'old');
    assert.equal((await catalog.client('a'))?.name, 'new', 'the stale read was not cached');
  });
  it('reads an entry once for all the requests that miss it together, and not for one after an invalidation', async () => {
    const clients = new Map([['a', { clientId: 'a', name: 'old' }]]);
    let open!: () => void;
    const { store, reads } = repo(clients, new Promise<void>((resolve) => (open = resolve)));
    const catalog = new Catalog(store, { ttlSeconds: 60 });
    const together = Array.from({ length: 20 }, () => catalog.client('a'));
    assert.equal(reads(), 1, 'one read for twenty requests');
    clients.set('a', { clientId: 'a', name: 'new' });
    catalog.invalidate('client', 'a');
    const after = catalog.client('a');
    assert.equal(reads(), 2, 'a request after the change reads again');
    open();
    for (const client of await Promise.all(together)) assert.equal(client?.name, 'old');
    assert.equal((await after)?.name, 'new');
    assert.equal((await catalog.client('a'))?.name, 'new');
    assert.equal(reads(), 2);
  });
});
