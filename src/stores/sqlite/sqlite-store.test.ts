import { storeContract } from '../contract/store-contract.js';
import { SqliteStore } from './sqlite-store.js';

storeContract('sqlite', {
  async create() {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    return store;
  },
});
