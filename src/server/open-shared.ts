/**
 * What instances share besides the store: the change feed that keeps their caches
 * coherent, and the failed-attempt counters. With TESSERA_REDIS_URL, both live in Redis;
 * otherwise the feed is PostgreSQL LISTEN/NOTIFY on a shared PostgreSQL store, and
 * in-process on the embedded one, and the counters are in process.
 */
import type { Store } from '../core/ports/storage.js';
import type { AttemptCounter } from '../core/ports/attempt-counter.js';
import type { ChangeFeed } from '../core/ports/change-feed.js';
import type { ProofReplayCache } from '../core/dpop/proof.js';
import { LocalChangeFeed } from '../core/changes/local-change-feed.js';
import { MemoryAttemptCounter } from '../core/interaction/memory-attempt-counter.js';
import { IpcAttemptCounter } from './cluster/ipc-attempt-counter.js';
import { IpcChangeFeed } from './cluster/ipc-change-feed.js';
import type { ServerSettings } from './settings.js';
import type { PrimaryChannel } from './cluster/primary-channel.js';

export interface SharedServices {
  changes: ChangeFeed;
  attempts: AttemptCounter;
  /** Where used DPoP proofs are remembered; absent: the store (shared by every instance of it). */
  replay?: ProofReplayCache;
  /** What the feed and counters run on, for the start banner. */
  describe: string;
}

type Warn = (message: string, fields?: Record<string, unknown>) => void;

/** `listen: false` for commands that change things and exit (they publish, never receive). */
/** The Redis and PostgreSQL clients are loaded only when configured (they cost memory). */
/**
 * `primary` is the line to the primary process of `start --workers`: without Redis,
 * the workers of one machine share its counters, and on SQLite its change relay.
 */
export async function openShared(
  settings: ServerSettings,
  store: Store,
  options: { listen?: boolean; warn?: Warn; primary?: PrimaryChannel } = {},
): Promise<SharedServices> {
  const warn = options.warn ?? (() => {});
  const listen = options.listen !== false;
  if (settings.redisUrl) {
    const [{ connectRedis }, { RedisChangeFeed }, { RedisAttemptCounter }, { RedisReplayCache }] = await Promise.all([
      import('../redis/redis-connection.js'),
      import('../redis/redis-change-feed.js'),
      import('../redis/redis-attempt-counter.js'),
      import('../redis/redis-replay-cache.js'),
    ]);
    const redis = connectRedis(settings.redisUrl);
    const prefix = settings.redisPrefix;
    return {
      changes: new RedisChangeFeed({ url: settings.redisUrl, prefix, publisher: redis, listen, warn }),
      attempts: new RedisAttemptCounter({ redis, prefix, warn }),
      replay: new RedisReplayCache({ redis, prefix, fallback: store }),
      describe: 'Redis (change feed, sign-in throttle, DPoP replay cache)',
    };
  }
  if (store.kind === 'postgres' && settings.databaseUrl) {
    const { PostgresChangeFeed } = await import('../stores/postgres/postgres-change-feed.js');
    const { schema, connectTimeoutMs } = settings.database;
    return {
      changes: new PostgresChangeFeed({ connectionString: settings.databaseUrl, ...(schema ? { schema } : {}), connectTimeoutMs, listen, warn }),
      attempts: options.primary ? new IpcAttemptCounter(options.primary) : new MemoryAttemptCounter(),
      describe: `PostgreSQL LISTEN/NOTIFY (change feed); throttles per ${options.primary ? 'machine (the workers share them)' : 'instance'}`,
    };
  }
  if (options.primary) {
    return {
      changes: new IpcChangeFeed(options.primary),
      attempts: new IpcAttemptCounter(options.primary),
      describe: 'the workers of this machine, through the primary process',
    };
  }
  return { changes: new LocalChangeFeed(), attempts: new MemoryAttemptCounter(), describe: 'this process' };
}
