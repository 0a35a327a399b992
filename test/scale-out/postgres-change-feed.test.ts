/**
 * The PostgreSQL LISTEN/NOTIFY change feed on its own: delivery, and a resync after its
 * connection was cut (through a TCP proxy) and came back.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Change } from '../../src/core/ports/change-feed.js';
import { eventually } from '../support/cluster.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { PostgresChangeFeed } from '../../src/stores/postgres/postgres-change-feed.js';

const url = process.env.TESSERA_TEST_DATABASE_URL;

describe('PostgreSQL change feed', { skip: url ? false : 'TESSERA_TEST_DATABASE_URL is not set' }, () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;

  it('carries a change from one instance to another, and not across schemas', async () => {
    const a = new PostgresChangeFeed({ connectionString: url!, schema });
    const b = new PostgresChangeFeed({ connectionString: url!, schema });
    const other = new PostgresChangeFeed({ connectionString: url!, schema: `${schema}_x` });
    const seen: Change[] = [];
    const elsewhere: Change[] = [];
    b.subscribe((c) => seen.push(c));
    other.subscribe((c) => elsewhere.push(c));
    await Promise.all([b.ready(), other.ready()]);
    await a.publish('client', 'calendar-app');
    await a.publish('keys');
    await eventually(async () => seen.length === 2, 'two changes');
    assert.deepEqual(seen, [
      { kind: 'changed', topic: 'client', key: 'calendar-app' },
      { kind: 'changed', topic: 'keys' },
    ]);
    assert.deepEqual(elsewhere, []);
    await Promise.all([a.close(), b.close(), other.close()]);
  });

  it('listens again after its connection is cut, and asks for a resync', async () => {
    const target = new URL(url!);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const listener = new PostgresChangeFeed({ connectionString: proxy.through(url!), schema, heartbeatMs: 200, connectTimeoutMs: 500 });
    const publisher = new PostgresChangeFeed({ connectionString: url!, schema, listen: false });
    const seen: Change[] = [];
    listener.subscribe((c) => seen.push(c));
    await listener.ready();
    proxy.cut();
    // A change made while the listener is away is lost; the resync stands for it.
    await new Promise((r) => setTimeout(r, 300));
    await publisher.publish('api', 'https://api.example');
    proxy.restore();
    await eventually(async () => seen.some((c) => c.kind === 'resync'), 'a resync after reconnecting');
    await publisher.publish('client', 'after');
    await eventually(async () => seen.some((c) => c.kind === 'changed' && c.key === 'after'), 'a change after reconnecting');
    assert.ok(listener.reconnects >= 1);
    await Promise.all([listener.close(), publisher.close()]);
    await proxy.close();
  });
});
