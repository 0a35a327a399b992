/**
 * Deprecated: `tessera/resource-server/node-http` is `@tessera/resource-server/node-http` now (the SDK is its own
 * package, without the server's dependencies). Kept for one release so existing imports keep working.
 */
export * from '@tessera/resource-server/node-http';
