/**
 * Tessera's resource-server SDK: validate every Tessera credential in one call.
 *
 *   const auth = createAuthenticator({ issuer, audience, introspection: { clientId, clientSecret } });
 *   const result = await auth.authenticate(req);   // { ok: true, principal } | { ok: false, error }
 *
 * With `usageReporting: { enabled: true }` the adapters report each call to Tessera's audit
 * log; `await auth.close()` at shutdown sends what is queued.
 *
 * With `protectedResource`, the adapters' `protectedResourceMetadata` serves the RFC 9728
 * document and challenges name it (`resource_metadata`).
 *
 * Framework adapters live beside it: @tessera/resource-server/{express,fastify,hono,node-http}.
 */
export { createAuthenticator, type Authenticator, type AuthRequest, type AuthResult } from './authenticator.js';
export type { AuthError, AuthErrorCode, AuthErrorReason } from './errors.js';
export { renderAuthError, type RenderedError } from './errors.js';
export { requireAuthLevel, requirePermissions, requireScopes, type AuthLevel, type Guard, type GuardRefusal } from './guards.js';
export { ACR_MULTI_FACTOR, ACR_ONE_FACTOR } from './shared/auth-level.js';
export type { AuthenticatorOptions, Clock, DpopOptions, JwsAlgorithm, UsageReportingOptions } from './options.js';
export { MemoryReplayCache, type DpopReplayCache } from './dpop.js';
export type { Authentication, CredentialKind, Principal } from './principal.js';
export { answerMetadataRequest, metadataUrlFor, type MetadataResponse, type ProtectedResourceOptions, type ResourceMetadata } from './resource-metadata.js';
export type { ServedCall, UsageStats } from './usage-reporter.js';
export { endpointAllowed, parseEndpointPattern, type EndpointPattern } from './shared/endpoint-patterns.js';
