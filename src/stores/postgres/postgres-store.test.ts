import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { AuditEvent } from '../../core/audit/audit-event.js';
import { verifyChain } from '../../core/audit/verify-chain.js';
import type { Store } from '../../core/ports/storage.js';
import { storeContract } from '../contract/store-contract.js';
import { PostgresStore, dropSchema } from './postgres-store.js';

const url = process.env.TESSERA_TEST_DATABASE_URL;

if (url) {
  const schemas = new Map<Store, string>();
  storeContract('postgres', {
    async create() {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const store = new PostgresStore({ connectionString: url, schema, poolSize: 4 });
      schemas.set(store, schema);
      await store.migrate();
      return store;
    },
    async destroy(store) {
      const schema = schemas.get(store);
      if (schema) await dropSchema(url, schema);
      schemas.delete(store);
    },
  });

  test('postgres: instances appending audit events at once keep one chain', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const instances = Array.from({ length: 3 }, () => new PostgresStore({ connectionString: url, schema, poolSize: 4 }));
    try {
      await Promise.all(instances.map((s) => s.migrate()));
      const event = (n: number): AuditEvent => ({ type: 'api.called', outcome: 'success', at: n, clientId: `c${n}` });
      await Promise.all(
        instances.flatMap((store, i) => Array.from({ length: 8 }, (_, j) => store.appendAuditEvents([event(i * 100 + j), event(i * 100 + j + 50)]))),
      );
      const { anchor, head } = await instances[0]!.auditChainState();
      assert.equal(head.sequence, 48);
      const verdict = await verifyChain(await instances[1]!.readAuditChain(0, 100), anchor, head);
      assert.equal(verdict.ok, true, JSON.stringify(verdict));
    } finally {
      await Promise.all(instances.map((s) => s.close()));
      await dropSchema(url, schema);
    }
  });
} else {
  test('store contract: postgres', { skip: 'TESSERA_TEST_DATABASE_URL not set' }, () => {});
}
