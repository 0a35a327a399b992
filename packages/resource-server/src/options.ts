/**
 * The authenticator's options: typed, documented, with safe defaults, validated once
 * at creation. A mistake is a TypeError that says what to fix.
 */
import type { DpopReplayCache } from './dpop.js';
import type { FetchLike } from './fetch-json.js';
import { resolveResourceMetadata, type ProtectedResourceOptions, type ResourceMetadata } from './resource-metadata.js';

/** Time in seconds since the epoch; injectable so tests freeze it. */
export interface Clock {
  now(): number;
}

/** Asymmetric JWS algorithms only: a JWKS holds public keys, so HS* could only be key confusion. */
export const ASYMMETRIC_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519'] as const;
export type JwsAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

export interface AuthenticatorOptions {
  /** The issuer, exactly as in the tokens' `iss` (e.g. https://auth.example.com). */
  issuer: string;
  /** This API's identifier: the `aud` its tokens carry. */
  audience: string;
  /** JWT signing algorithms accepted. Default: Tessera's, ES256, RS256 and EdDSA. */
  algorithms?: readonly JwsAlgorithm[];
  /** Leeway for exp and nbf, in seconds. Default 5, at most 300. */
  clockTolerance?: number;
  /** Needed for reference tokens, PATs, SATs, user and action tokens: a client with `introspection: any`. */
  introspection?: {
    clientId: string;
    clientSecret: string;
    /** How long an answer is reused: a revocation is visible within this bound. Default 5 s; 0 disables. */
    cacheSeconds?: number;
  };
  jwks?: {
    /** At most one refetch per this many seconds on an unknown kid. Default 30. */
    cooldownSeconds?: number;
    /** Refresh the set when older than this. Default 600. */
    maxAgeSeconds?: number;
  };
  /** Skip discovery for these endpoints (both given: no discovery at all). */
  jwksUri?: string;
  introspectionEndpoint?: string;
  /** Entries in each token cache (verified JWTs, introspection answers). Default 10,000. */
  cacheSize?: number;
  /** Longest Authorization header accepted, in characters. Default 8192. */
  maxHeaderLength?: number;
  /** Timeout of each request to the issuer, in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** Say in error_description why a token was refused. Default false: generic descriptions. */
  debug?: boolean;
  /** A `realm` for the WWW-Authenticate challenge. */
  realm?: string;
  /**
   * Opt-in: report each API call made with a token (method, path without the query,
   * status, token id, subject, client, API, scopes) to `${issuer}/audit/api-calls`, in
   * batches, off the request path. Needs `introspection` (the same client reports).
   */
  usageReporting?: UsageReportingOptions;
  /**
   * Publish RFC 9728 protected resource metadata (the adapters' `protectedResourceMetadata`
   * serves it) and name its URL in every challenge (`resource_metadata="…"`).
   */
  protectedResource?: ProtectedResourceOptions;
  /**
   * Accept DPoP-bound tokens (RFC 9449) sent as `DPoP <token>` with a `DPoP` proof.
   * `origin`: this API's public origin as clients call it (htu is built from it and the path).
   */
  dpop?: DpopOptions;
  clock?: Clock;
  fetch?: FetchLike;
}

export interface DpopOptions {
  origin: string;
  /** Proof algorithms accepted. Default ES256, ES384, EdDSA (also as Ed25519), RS256, PS256. */
  algorithms?: readonly JwsAlgorithm[];
  /** Where proof jtis are remembered; default: in memory, `replayCacheSize` entries. */
  replayCache?: DpopReplayCache;
  /** Default 10,000. */
  replayCacheSize?: number;
  /**
   * RFC 9449 §9: require proofs to carry a nonce this API issued. A proof without one is
   * refused with `use_dpop_nonce` and the nonce in a `DPoP-Nonce` header (oauth4webapi
   * retries with it). `true`: a random secret, for one instance; `{ secret }`: instances
   * sharing it accept each other's nonces. A nonce lasts one to two windows (default 300 s).
   */
  nonce?: boolean | { secret?: string; windowSeconds?: number };
}

export interface ResolvedDpop {
  origin: string;
  algorithms: JwsAlgorithm[];
  replayCache: DpopReplayCache | undefined;
  replayCacheSize: number;
  /** Undefined: no nonces. */
  nonce: { secret: string | undefined; windowSeconds: number } | undefined;
}

export interface UsageReportingOptions {
  /** Default true when the object is given; false switches reporting off. */
  enabled?: boolean;
  /** How long a call waits before its batch is sent. Default 2000 ms. */
  flushIntervalMs?: number;
  /** Calls per POST, at most 100 (Tessera's limit). Default 100. */
  maxBatch?: number;
  /** Calls waiting at most; beyond it new calls are dropped and counted. Default 10,000. */
  maxQueue?: number;
  /** Where to POST. Default `${issuer}/audit/api-calls` (discovery does not list it). */
  endpoint?: string;
}

export interface ResolvedUsageReporting {
  endpoint: string;
  flushIntervalMs: number;
  maxBatch: number;
  maxQueue: number;
}

export interface ResolvedOptions {
  issuer: string;
  audience: string;
  algorithms: JwsAlgorithm[];
  clockTolerance: number;
  introspection: { clientId: string; clientSecret: string; cacheSeconds: number } | undefined;
  jwks: { cooldownSeconds: number; maxAgeSeconds: number };
  jwksUri: string | undefined;
  introspectionEndpoint: string | undefined;
  cacheSize: number;
  maxHeaderLength: number;
  timeoutMs: number;
  debug: boolean;
  realm: string | undefined;
  /** Undefined: usage reporting is off. */
  usageReporting: ResolvedUsageReporting | undefined;
  /** Undefined: no protected resource metadata. */
  resourceMetadata: ResourceMetadata | undefined;
  /** Undefined: DPoP is not accepted. */
  dpop: ResolvedDpop | undefined;
  clock: Clock;
  fetch: FetchLike;
}

export const systemClock: Clock = { now: () => Math.floor(Date.now() / 1000) };

const KNOWN = new Set([
  'issuer',
  'audience',
  'algorithms',
  'clockTolerance',
  'introspection',
  'jwks',
  'jwksUri',
  'introspectionEndpoint',
  'cacheSize',
  'maxHeaderLength',
  'timeoutMs',
  'debug',
  'realm',
  'usageReporting',
  'protectedResource',
  'dpop',
  'clock',
  'fetch',
]);
const USAGE_KNOWN = new Set(['enabled', 'flushIntervalMs', 'maxBatch', 'maxQueue', 'endpoint']);

/** Tessera refuses a report of more than 100 calls. */
export const MAX_REPORT_BATCH = 100;

function fail(message: string): never {
  throw new TypeError(`createAuthenticator: ${message}`);
}

function httpUrl(value: unknown, name: string): string {
  if (typeof value !== 'string' || !URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    fail(`${name} must be an absolute http(s) URL`);
  }
  return value;
}

function nonEmpty(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) fail(`${name} must be a non-empty string`);
  return value;
}

function number(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) fail(`${name} must be a number from ${min} to ${max}`);
  return value;
}

export function resolveOptions(options: AuthenticatorOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) fail('options are required');
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) fail(`unknown option "${key}"`);
  const algorithms = options.algorithms ?? ['ES256', 'RS256', 'EdDSA'];
  if (!Array.isArray(algorithms) || algorithms.length === 0) fail('algorithms must be a non-empty list');
  for (const alg of algorithms) {
    if (!(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg))
      fail(`algorithm "${String(alg)}" is not allowed (asymmetric algorithms only: ${ASYMMETRIC_ALGORITHMS.join(', ')})`);
  }
  const introspection = options.introspection;
  if (introspection !== undefined && (typeof introspection !== 'object' || introspection === null)) fail('introspection must be an object');
  const jwks = options.jwks ?? {};
  const clock = options.clock ?? systemClock;
  if (typeof clock?.now !== 'function') fail('clock must have a now() method');
  const fetchImpl = options.fetch ?? ((url, init) => fetch(url, init));
  if (typeof fetchImpl !== 'function') fail('fetch must be a function');
  if (options.debug !== undefined && typeof options.debug !== 'boolean') fail('debug must be a boolean');
  if (options.realm !== undefined && (typeof options.realm !== 'string' || /[^\x20-\x21\x23-\x5b\x5d-\x7e]/.test(options.realm))) {
    fail('realm must be a string of printable ASCII without quotes or backslashes');
  }
  const issuer = httpUrl(options.issuer, 'issuer');
  const audience = nonEmpty(options.audience, 'audience');
  return {
    issuer,
    audience,
    algorithms: [...algorithms],
    clockTolerance: number(options.clockTolerance, 'clockTolerance', 5, 0, 300),
    introspection: introspection && {
      clientId: nonEmpty(introspection.clientId, 'introspection.clientId'),
      clientSecret: nonEmpty(introspection.clientSecret, 'introspection.clientSecret'),
      cacheSeconds: number(introspection.cacheSeconds, 'introspection.cacheSeconds', 5, 0, 3600),
    },
    jwks: {
      cooldownSeconds: number(jwks.cooldownSeconds, 'jwks.cooldownSeconds', 30, 0, 86_400),
      maxAgeSeconds: number(jwks.maxAgeSeconds, 'jwks.maxAgeSeconds', 600, 1, 86_400),
    },
    jwksUri: options.jwksUri === undefined ? undefined : httpUrl(options.jwksUri, 'jwksUri'),
    introspectionEndpoint: options.introspectionEndpoint === undefined ? undefined : httpUrl(options.introspectionEndpoint, 'introspectionEndpoint'),
    cacheSize: Math.floor(number(options.cacheSize, 'cacheSize', 10_000, 0, 10_000_000)),
    maxHeaderLength: number(options.maxHeaderLength, 'maxHeaderLength', 8192, 64, 65_536),
    timeoutMs: number(options.timeoutMs, 'timeoutMs', 5000, 1, 120_000),
    debug: options.debug ?? false,
    realm: options.realm,
    usageReporting: resolveUsageReporting(options.usageReporting, issuer, introspection !== undefined),
    resourceMetadata: resolveResourceMetadata(options.protectedResource, issuer, audience),
    dpop: resolveDpop(options.dpop),
    clock,
    fetch: fetchImpl,
  };
}

function resolveUsageReporting(value: unknown, issuer: string, hasCredentials: boolean): ResolvedUsageReporting | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) fail('usageReporting must be an object');
  const u = value as UsageReportingOptions;
  for (const key of Object.keys(u)) if (!USAGE_KNOWN.has(key)) fail(`unknown option "usageReporting.${key}"`);
  if (u.enabled !== undefined && typeof u.enabled !== 'boolean') fail('usageReporting.enabled must be a boolean');
  const resolved = {
    endpoint: u.endpoint === undefined ? `${issuer.replace(/\/$/, '')}/audit/api-calls` : httpUrl(u.endpoint, 'usageReporting.endpoint'),
    flushIntervalMs: number(u.flushIntervalMs, 'usageReporting.flushIntervalMs', 2000, 1, 3_600_000),
    maxBatch: Math.floor(number(u.maxBatch, 'usageReporting.maxBatch', MAX_REPORT_BATCH, 1, MAX_REPORT_BATCH)),
    maxQueue: Math.floor(number(u.maxQueue, 'usageReporting.maxQueue', 10_000, 1, 10_000_000)),
  };
  if (u.enabled === false) return undefined;
  if (!hasCredentials) fail('usageReporting needs introspection: { clientId, clientSecret } (a client with introspection: any reports the calls)');
  return resolved;
}

function resolveDpop(value: unknown): ResolvedDpop | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) fail('dpop must be an object');
  const d = value as DpopOptions;
  for (const key of Object.keys(d))
    if (!['origin', 'algorithms', 'replayCache', 'replayCacheSize', 'nonce'].includes(key)) fail(`unknown option "dpop.${key}"`);
  const origin = httpUrl(d.origin, 'dpop.origin');
  const algorithms = d.algorithms ?? ['ES256', 'ES384', 'EdDSA', 'Ed25519', 'RS256', 'PS256'];
  if (!Array.isArray(algorithms) || algorithms.length === 0) fail('dpop.algorithms must be a non-empty list');
  for (const alg of algorithms)
    if (!(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) fail(`dpop algorithm "${String(alg)}" is not allowed (asymmetric algorithms only)`);
  if (d.replayCache !== undefined && typeof d.replayCache?.firstUse !== 'function') fail('dpop.replayCache must have a firstUse(jti, expiresAt) method');
  return {
    origin: new URL(origin).origin,
    algorithms: [...algorithms],
    replayCache: d.replayCache,
    replayCacheSize: Math.floor(number(d.replayCacheSize, 'dpop.replayCacheSize', 10_000, 1, 10_000_000)),
    nonce: resolveNonce(d.nonce),
  };
}

function resolveNonce(value: unknown): ResolvedDpop['nonce'] {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { secret: undefined, windowSeconds: 300 };
  if (typeof value !== 'object' || value === null) fail('dpop.nonce must be true or { secret, windowSeconds }');
  const n = value as { secret?: unknown; windowSeconds?: unknown };
  for (const key of Object.keys(n)) if (!['secret', 'windowSeconds'].includes(key)) fail(`unknown option "dpop.nonce.${key}"`);
  if (n.secret !== undefined && (typeof n.secret !== 'string' || n.secret.length < 32)) fail('dpop.nonce.secret must be a string of at least 32 characters');
  return { secret: n.secret as string | undefined, windowSeconds: number(n.windowSeconds, 'dpop.nonce.windowSeconds', 300, 10, 86_400) };
}
