/**
 * Deprecated: `tessera/resource-server/fastify` is `@tessera/resource-server/fastify` now (the SDK is its own
 * package, without the server's dependencies). Kept for one release so existing imports keep working.
 */
export * from '@tessera/resource-server/fastify';
