/**
 * The Redis side of scale-out on its own: shared sign-in counters (and the fallback
 * while Redis is unreachable), and the change feed with a resync after its connection
 * was cut (through a TCP proxy) and came back.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Change } from '../../src/core/ports/change-feed.js';
import { eventually } from '../support/cluster.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { RedisAttemptCounter } from '../../src/redis/redis-attempt-counter.js';
import { RedisChangeFeed } from '../../src/redis/redis-change-feed.js';
import { connectRedis } from '../../src/redis/redis-connection.js';

const url = process.env.TESSERA_TEST_REDIS_URL;
const POLICY = { freeFailures: 2, baseDelay: 2, maxDelay: 900, window: 3600 };

describe('Redis', { skip: url ? false : 'TESSERA_TEST_REDIS_URL is not set' }, () => {
  const prefix = `tessera-test:${randomBytes(6).toString('hex')}:`;

  it('counts failures of several instances as one, atomically', async () => {
    const connections = [connectRedis(url!), connectRedis(url!)];
    const [a, b] = connections.map((redis) => new RedisAttemptCounter({ redis, prefix })) as [RedisAttemptCounter, RedisAttemptCounter];
    const now = 1_000_000;
    // Ten failures at once from two instances: the waits follow the total.
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).recordFailure('u:alice', POLICY, now)));
    assert.equal(await a.waitFor('u:alice', now), 2 * 2 ** 7);
    assert.equal(await b.waitFor('u:bob', now), 0);
    await b.clear('u:alice');
    assert.equal(await a.waitFor('u:alice', now), 0);
    assert.equal(a.fallbacks + b.fallbacks, 0);
    for (const redis of connections) redis.disconnect();
  });

  it('falls back to counting in process while Redis is unreachable', async () => {
    const target = new URL(url!);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 6379) });
    const redis = connectRedis(proxy.through(url!));
    const warnings: string[] = [];
    const counter = new RedisAttemptCounter({ redis, prefix, warn: (m) => warnings.push(m) });
    await eventually(async () => redis.status === 'ready', 'a connection');
    proxy.cut();
    for (let i = 0; i < 3; i += 1) await counter.recordFailure('u:carol', POLICY, 500);
    assert.equal(await counter.waitFor('u:carol', 500), 2);
    assert.ok(counter.fallbacks >= 3);
    assert.equal(warnings.length, 1, 'one warning, not one per failure');
    redis.disconnect();
    await proxy.close();
  });

  it('carries changes between instances and resyncs after a reconnection', async () => {
    const target = new URL(url!);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 6379) });
    const a = new RedisChangeFeed({ url: url!, prefix, publisher: connectRedis(url!) });
    const b = new RedisChangeFeed({ url: proxy.through(url!), prefix, publisher: connectRedis(url!) });
    const seen: Change[] = [];
    b.subscribe((c) => seen.push(c));
    await b.ready();
    await a.publish('api', 'https://api.example');
    await eventually(async () => seen.length === 1, 'the change');
    assert.deepEqual(seen[0], { kind: 'changed', topic: 'api', key: 'https://api.example' });
    proxy.cut();
    await new Promise((r) => setTimeout(r, 200));
    proxy.restore();
    await eventually(async () => seen.some((c) => c.kind === 'resync'), 'a resync');
    await a.publish('keys');
    await eventually(async () => seen.some((c) => c.kind === 'changed' && c.topic === 'keys'), 'a change after reconnecting');
    await Promise.all([a.close(), b.close()]);
    await proxy.close();
  });
});
