/**
 * DPoP proof markers in Redis (SET NX with an expiry), so a proof used at one instance
 * is refused at every other. If Redis cannot be reached, the store's markers are used
 * instead (still shared, one round trip slower): never no replay check at all.
 */
import type { Redis } from 'ioredis';
import type { ProofReplayCache } from '../core/dpop/proof.js';

export class RedisReplayCache implements ProofReplayCache {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #fallback: ProofReplayCache;

  constructor(options: { redis: Redis; prefix: string; fallback: ProofReplayCache }) {
    this.#redis = options.redis;
    this.#prefix = `${options.prefix}replay:`;
    this.#fallback = options.fallback;
  }

  async useOnce(key: string, expiresAt: number, now: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(expiresAt - now));
    try {
      return (await this.#redis.set(this.#prefix + key, '1', 'EX', ttl, 'NX')) === 'OK';
    } catch {
      return this.#fallback.useOnce(key, expiresAt, now);
    }
  }
}
