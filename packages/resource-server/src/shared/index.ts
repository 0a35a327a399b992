/**
 * The vocabulary Tessera's server and this SDK must agree on, exported for the server
 * (`@tessera/resource-server/shared`): the token-string format and its check, action-token
 * endpoint patterns, and the `acr` levels. It lives here, in the package without
 * dependencies, so the server imports it and the SDK never imports the server.
 *
 * An API needs none of it beyond what the main entry re-exports; its shape follows the
 * server of the same version, not semver promises of its own.
 */
export * from './auth-level.js';
export * from './endpoint-patterns.js';
export * from './token-string-check.js';
