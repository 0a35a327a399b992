import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { AuditEvent } from '../../core/audit/audit-event.js';
import { verifyChain } from '../../core/audit/verify-chain.js';
import type { StoredToken } from '../../core/model.js';
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

  test('postgres: token inserts and lookups of one turn are batched, and each caller gets its own outcome', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const store = new PostgresStore({ connectionString: url, schema, poolSize: 4 });
    try {
      await store.migrate();
      const token = (n: number): StoredToken => ({
        hash: `hash-${n}`,
        kind: 'access_token',
        jti: `jti-${n}`,
        clientId: 'c',
        subject: 's',
        audience: 'https://api.example',
        scope: 'read',
        issuedAt: 1_000,
        expiresAt: 2_000,
        ...(n % 2 === 0 ? { details: { note: 'quotes " and \\ backslashes, {braces}' } } : {}),
      });
      // One turn, one statement: arrays of every column type, JSON details with quotes and backslashes.
      await Promise.all([store.insertToken(token(4)), store.insertToken(token(5))]);
      assert.deepEqual(await Promise.all([store.findTokenByHash('hash-4'), store.findTokenByHash('hash-5')]), [token(4), token(5)]);
      // One turn: two new tokens and a duplicate of the first; the duplicate alone fails.
      const outcomes = await Promise.allSettled([store.insertToken(token(1)), store.insertToken(token(2)), store.insertToken(token(1))]);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['fulfilled', 'fulfilled', 'rejected'],
      );
      const [a, b, missing, again] = await Promise.all([
        store.findTokenByHash('hash-1'),
        store.findTokenByHash('hash-2'),
        store.findTokenByHash('hash-3'),
        store.findTokenByHash('hash-1'),
      ]);
      assert.deepEqual(a, token(1));
      assert.deepEqual(b, token(2));
      assert.equal(missing, undefined);
      assert.deepEqual(again, token(1));
      assert.notEqual(again, a, 'each caller gets an object of its own');
    } finally {
      await store.close();
      await dropSchema(url, schema);
    }
  });
} else {
  test('store contract: postgres', { skip: 'TESSERA_TEST_DATABASE_URL not set' }, () => {});
}
