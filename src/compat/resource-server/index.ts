/**
 * Deprecated: `tessera/resource-server` is `@tessera/resource-server` now (the SDK is its own
 * package, without the server's dependencies). Kept for one release so existing imports keep working.
 */
export * from '@tessera/resource-server';
