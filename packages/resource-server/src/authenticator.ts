/**
 * The one call: `authenticate(request)` reads the credential, verifies it the way its
 * kind demands, enforces an action token's endpoint list, and answers a Principal or
 * an AuthError. It never throws for anything a client sent.
 *
 *   Bearer eyJ...            local JWT verification (jwt-verifier)
 *   Bearer tsr_at_/pat_/sat_ checksum, then introspection (introspection-client)
 *   Token / ActionToken      introspection, then (ActionToken) the endpoint list
 *
 * With `usageReporting`, the calls the adapters serve are reported to Tessera
 * (usage-reporter); `close()` sends what is left at shutdown.
 */
import { createHash } from 'node:crypto';
import { endpointAllowed } from './shared/endpoint-patterns.js';
import { inspectTokenString, type TokenStringKind } from './shared/token-string-check.js';
import { presentedScheme, readCredential, type PresentedCredential, type RequestHeaders } from './authorization-header.js';
import { IssuerMetadata } from './discovery.js';
import { DpopNonces, MemoryReplayCache, verifyProof, type DpopSettings } from './dpop.js';
import { authError, type AuthError, type AuthErrorReason, type ChallengeScheme, type ErrorStyle, type StepUp } from './errors.js';
import { UpstreamError } from './fetch-json.js';
import type { Guard } from './guards.js';
import { IntrospectionClient } from './introspection-client.js';
import { JwksCache } from './jwks.js';
import { JwtVerifier } from './jwt-verifier.js';
import { resolveOptions, systemClock, type AuthenticatorOptions } from './options.js';
import type { ResourceMetadata } from './resource-metadata.js';
import { principalFromIntrospection, type CredentialKind, type Principal } from './principal.js';
import { USAGE_REPORTING_OFF, UsageReporter, type ServedCall, type UsageStats } from './usage-reporter.js';

/** What the SDK needs of a request; node's IncomingMessage and every adapter's request fit. */
export interface AuthRequest {
  method: string;
  /** The raw request target (path and query), as the client sent it. */
  url: string;
  headers: RequestHeaders;
}

export type AuthResult = { ok: true; principal: Principal } | { ok: false; error: AuthError };

export interface Authenticator {
  authenticate(request: AuthRequest): Promise<AuthResult>;
  /** Applies guards to an authenticated principal (undefined: the request was never authenticated). */
  authorize(principal: Principal | undefined, guards: readonly Guard[]): AuthResult;
  /** Counters, for tests and metrics. */
  readonly stats: { readonly jwksFetches: number; readonly introspections: number };
  /** The RFC 9728 document and where it is served (option `protectedResource`); undefined without it. */
  readonly resourceMetadata: ResourceMetadata | undefined;
  /**
   * Reports one call served with an authenticated credential (the adapters call it once
   * the response is done). Synchronous, never throws; a no-op unless `usageReporting` is on.
   */
  recordCall(call: ServedCall): void;
  /** Usage reporting's counters: `queued`, `sent`, `failed`, `dropped` (live values). */
  readonly usage: UsageStats;
  /** Sends the calls queued so far. Never rejects: failures are counted in `usage`. */
  flush(): Promise<void>;
  /** Graceful shutdown: stops the reporting timer and sends what is queued. */
  close(): Promise<void>;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Opaque token strings an API may see under Bearer, and the kind each must introspect as. */
const BEARER_KINDS: Partial<Record<TokenStringKind, CredentialKind>> = {
  access_token: 'access_token',
  personal_access_token: 'personal_access_token',
  service_access_token: 'service_access_token',
};

function headerOf(headers: RequestHeaders, name: string): string | string[] | undefined {
  if (headers[name] !== undefined) return headers[name];
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** The scheme a principal's credential is sent under. */
function schemeOf(principal: Principal): ChallengeScheme {
  return principal.kind === 'user_token' ? 'Token' : principal.kind === 'action_token' ? 'ActionToken' : principal.jkt !== undefined ? 'DPoP' : 'Bearer';
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const o = resolveOptions(options);
  const style: ErrorStyle = {
    debug: o.debug,
    realm: o.realm,
    resourceMetadata: o.resourceMetadata?.challenge ? o.resourceMetadata.url : undefined,
    dpopAlgorithms: o.dpop?.algorithms,
  };
  const dpop: DpopSettings | undefined = o.dpop && {
    origin: o.dpop.origin,
    algorithms: o.dpop.algorithms,
    replayCache: o.dpop.replayCache ?? new MemoryReplayCache(o.dpop.replayCacheSize, o.clock),
    clock: o.clock,
    nonces: o.dpop.nonce && new DpopNonces(o.dpop.nonce.secret, o.dpop.nonce.windowSeconds),
  };
  // RFC 9449 §7.1: a bound token sent as Bearer is told to use DPoP, when this API takes it.
  const boundAsBearer: ChallengeScheme = dpop ? 'DPoP' : 'Bearer';
  const metadata = new IssuerMetadata({
    issuer: o.issuer,
    fetch: o.fetch,
    timeoutMs: o.timeoutMs,
    overrides: { ...(o.jwksUri ? { jwksUri: o.jwksUri } : {}), ...(o.introspectionEndpoint ? { introspectionEndpoint: o.introspectionEndpoint } : {}) },
  });
  const jwks = new JwksCache({
    uri: async () => (await metadata.endpoints()).jwksUri,
    fetch: o.fetch,
    timeoutMs: o.timeoutMs,
    clock: o.clock,
    ...o.jwks,
  });
  const jwts = new JwtVerifier(o, jwks);
  const introspection =
    o.introspection &&
    new IntrospectionClient({
      endpoint: async () => (await metadata.endpoints()).introspectionEndpoint,
      ...o.introspection,
      fetch: o.fetch,
      timeoutMs: o.timeoutMs,
      clock: o.clock,
      cacheSize: o.cacheSize,
    });

  const reporter =
    o.usageReporting &&
    o.introspection &&
    new UsageReporter({
      ...o.usageReporting,
      clientId: o.introspection.clientId,
      clientSecret: o.introspection.clientSecret,
      fetch: o.fetch,
      timeoutMs: o.timeoutMs,
      now: o.clock === systemClock ? Date.now : () => o.clock.now() * 1000,
    });

  const refuse = (reason: AuthErrorReason, scheme?: ChallengeScheme, scope?: string, stepUp?: StepUp): AuthResult => ({
    ok: false,
    // §9: the nonce to retry with rides on use_dpop_nonce.
    error: authError(reason, style, scope, scheme, stepUp, reason === 'dpop_nonce_required' ? dpop?.nonces?.current(o.clock.now()) : undefined),
  });

  /**
   * The credential's principal or refusal: synchronous for a JWT whose key is known (the
   * hot path, see JwtVerifier.verifyNow), a promise when a key set or introspection is needed.
   */
  function principalFor(credential: PresentedCredential): Principal | AuthErrorReason | Promise<Principal | AuthErrorReason> {
    if (credential.scheme === 'Token') return introspect(credential.token, 'user_token');
    if (credential.scheme === 'ActionToken') return introspect(credential.token, 'action_token');
    const { token } = credential;
    if (token.startsWith('tsr_')) {
      const check = inspectTokenString(token);
      if (!check.ok) return check.reason;
      const kind = BEARER_KINDS[check.kind];
      return kind ? introspect(token, kind) : 'wrong_token_kind'; // refresh tokens, codes
    }
    if (!JWT_SHAPE.test(token)) return 'malformed_token';
    return jwts.verifyNow(token) ?? jwts.verify(token);
  }

  async function introspect(token: string, expectedKind: CredentialKind): Promise<Principal | AuthErrorReason> {
    if (!introspection) return 'unsupported_token';
    const hash = createHash('sha256').update(token).digest('base64url');
    let outcome: Awaited<ReturnType<IntrospectionClient['introspect']>>;
    try {
      outcome = await introspection.introspect(token, hash, expectedKind);
    } catch (error) {
      if (error instanceof UpstreamError) return 'introspection_unavailable';
      throw error;
    }
    if (typeof outcome === 'string') return outcome;
    const context = { issuer: o.issuer, audience: o.audience, expectedKind, now: o.clock.now(), fallbackTokenId: `sha256:${hash.slice(0, 16)}` };
    return principalFromIntrospection(outcome, context);
  }

  return {
    resourceMetadata: o.resourceMetadata,
    async authenticate(request) {
      // A Bearer JWT verified before: answered from the cache without parsing the header
      // again. The cache holds only tokens that passed every check below, so the answer
      // is the one the full path would give (a JWT principal has no endpoint list).
      const header = request.headers?.authorization;
      if (typeof header === 'string' && header.startsWith('Bearer ')) {
        const token = header.slice(7);
        const principal = jwts.cached(token);
        if (principal) return principal.jkt === undefined ? { ok: true, principal } : refuse('dpop_bound_as_bearer', boundAsBearer);
        // A plain `Bearer <JWT>` is what readCredential and principalFor would make of it
        // (a JWT's characters are b64token's, with no space): verified without re-reading
        // the header with their regular expressions, which scan the whole token each.
        if (header.length <= o.maxHeaderLength && !token.startsWith('tsr_') && JWT_SHAPE.test(token)) {
          const found = jwts.verifyNow(token) ?? (await jwts.verify(token));
          if (typeof found === 'string') return refuse(found, 'Bearer');
          return found.jkt === undefined ? { ok: true, principal: found } : refuse('dpop_bound_as_bearer', boundAsBearer);
        }
      }
      const credential = readCredential(request.headers ?? {}, o.maxHeaderLength);
      if (typeof credential === 'string') return refuse(credential, presentedScheme(request.headers ?? {}));
      if (credential.scheme === 'DPoP' && !dpop) return refuse('dpop_unsupported', 'Bearer');
      const found = principalFor(credential.scheme === 'DPoP' ? { scheme: 'Bearer', token: credential.token } : credential);
      const principal = found instanceof Promise ? await found : found;
      if (typeof principal === 'string') return refuse(principal, credential.scheme);
      // RFC 9449 §7.2: a bound token is never accepted as a bearer token; §7.1: a DPoP one needs its key's proof.
      if (credential.scheme === 'Bearer' && principal.jkt !== undefined) return refuse('dpop_bound_as_bearer', boundAsBearer);
      if (credential.scheme === 'DPoP') {
        if (principal.jkt === undefined) return refuse('dpop_not_bound', 'DPoP');
        const proof = await verifyProof(headerOf(request.headers ?? {}, 'dpop'), request, credential.token, dpop!);
        if (typeof proof === 'string') return refuse(proof, 'DPoP');
        if (proof.jkt !== principal.jkt) return refuse('dpop_key_mismatch', 'DPoP');
      }
      if (principal.kind === 'action_token' && !endpointAllowed(principal.allowedEndpoints ?? [], request.method, request.url)) {
        return refuse('endpoint_not_allowed', credential.scheme);
      }
      return { ok: true, principal };
    },
    authorize(principal, guards) {
      if (!principal) return refuse('not_authenticated');
      for (const guard of guards) {
        const refusal = guard.check(principal, o.clock.now());
        if (refusal?.reason === 'insufficient_user_authentication') {
          return refuse(refusal.reason, schemeOf(principal), undefined, {
            ...(refusal.acrValues !== undefined ? { acrValues: refusal.acrValues } : {}),
            ...(refusal.maxAge !== undefined ? { maxAge: refusal.maxAge } : {}),
          });
        }
        if (refusal) return refuse(refusal.reason, schemeOf(principal), refusal.scope);
      }
      return { ok: true, principal };
    },
    get stats() {
      return { jwksFetches: jwks.fetches, introspections: introspection?.calls ?? 0 };
    },
    recordCall(call) {
      if (!reporter) return;
      try {
        // calledAt: when the request arrived. An injected clock ticks in whole seconds: the call's second.
        const calledAt = call.calledAt ?? (o.clock === systemClock ? Date.now() - (call.durationMs ?? 0) : o.clock.now() * 1000);
        reporter.record(call, calledAt);
      } catch {
        // never into a request
      }
    },
    usage: reporter ?? USAGE_REPORTING_OFF,
    flush: () => reporter?.flush() ?? Promise.resolve(),
    close: () => reporter?.close() ?? Promise.resolve(),
  };
}
