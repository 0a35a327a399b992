/**
 * Redis connections for what instances share there (throttle counters, the change
 * feed). A command waits at most half a second, connected or not (a command timeout,
 * and at most one retry per request), so callers fall back quickly while Redis is
 * unreachable; the client keeps reconnecting in the background with capped pauses.
 */
import { Redis } from 'ioredis';

export function connectRedis(url: string, options: { subscriber?: boolean } = {}): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 1,
    commandTimeout: options.subscriber ? undefined : 500,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
  });
  // Errors are reported to the callers of commands; without a listener ioredis would log each retry.
  redis.on('error', () => {});
  return redis;
}
