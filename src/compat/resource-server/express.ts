/**
 * Deprecated: `tessera/resource-server/express` is `@tessera/resource-server/express` now (the SDK is its own
 * package, without the server's dependencies). Kept for one release so existing imports keep working.
 */
export * from '@tessera/resource-server/express';
