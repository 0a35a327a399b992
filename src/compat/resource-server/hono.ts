/**
 * Deprecated: `tessera/resource-server/hono` is `@tessera/resource-server/hono` now (the SDK is its own
 * package, without the server's dependencies). Kept for one release so existing imports keep working.
 */
export * from '@tessera/resource-server/hono';
