/**
 * The PostgreSQL connection pool's defaults, apart from the store so that server
 * settings can show and resolve them without loading the `pg` driver (which only a
 * deployment on PostgreSQL needs).
 */
export const POOL_DEFAULTS = { poolSize: 10, connectTimeoutMs: 5000, statementTimeoutMs: 10_000, idleTimeoutMs: 30_000 };
