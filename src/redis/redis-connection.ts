/**
 * Redis connections for what instances share there (throttle counters, the change
 * feed). Commands fail fast while Redis is unreachable (no offline queue, a command
 * timeout) so callers can fall back at once, and the client keeps reconnecting in the
 * background with capped pauses.
 */
import { Redis } from 'ioredis';

export function connectRedis(url: string, options: { subscriber?: boolean } = {}): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: options.subscriber === true,
    maxRetriesPerRequest: 1,
    commandTimeout: options.subscriber ? undefined : 500,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
  });
  // Errors are reported to the callers of commands; without a listener ioredis would log each retry.
  redis.on('error', () => {});
  return redis;
}
