/**
 * Who is calling: one shape for every Tessera credential, built from verified JWT
 * claims or from an introspection answer. Principals are frozen: one may be served
 * from the cache to many requests.
 */
import type { AuthErrorReason } from './errors.js';
import type { ActiveIntrospection } from './introspection-client.js';

export type CredentialKind = 'access_token' | 'personal_access_token' | 'service_access_token' | 'user_token' | 'action_token';

export interface Principal {
  readonly kind: CredentialKind;
  /** jwt: verified locally; reference: described by introspection. */
  readonly format: 'jwt' | 'reference';
  /** The token's `sub`: a user id, a sandbox subject, a service account or a client. */
  readonly subject: string;
  /** Set when the credential acts for a user (never for a sandbox: see `sandbox`). */
  readonly user: { readonly id: string; readonly username?: string } | undefined;
  /** Set when the credential is a service account's. */
  readonly serviceAccount: string | undefined;
  /** The OAuth client the token was issued to, if any. */
  readonly clientId: string | undefined;
  /** What the credential was granted on this API. */
  readonly scopes: readonly string[];
  /** What the subject may do on this API; the scopes when the credential says nothing more. */
  readonly permissions: readonly string[];
  /** Issued to a sandboxed sign-in: keep its data apart from the user's own. */
  readonly sandbox: boolean;
  /** The token's `jti`, for logs and usage reports (never the token itself). */
  readonly tokenId: string;
  /** Seconds since the epoch; undefined for user and action tokens (valid until revoked). */
  readonly expiresAt: number | undefined;
  /** This API's identifier. */
  readonly audience: string;
  /** Action tokens only: the endpoints it may call. */
  readonly allowedEndpoints?: readonly string[];
  /** For tokens from a sign-in: when and how the user authenticated (auth_time, acr, amr). */
  readonly authentication?: Authentication;
  /** RFC 9449: the thumbprint of the key the token is bound to (`cnf.jkt`); such a token needs a DPoP proof. */
  readonly jkt?: string;
}

export interface Authentication {
  /** Seconds since the epoch. */
  readonly authTime: number;
  readonly acr: string | undefined;
  readonly amr: readonly string[];
}

function authenticationOf(source: { auth_time?: unknown; acr?: unknown; amr?: unknown }): { authentication?: Authentication } {
  if (typeof source.auth_time !== 'number') return {};
  const amr = isStringArray(source.amr) ? [...source.amr] : [];
  return {
    authentication: Object.freeze({ authTime: source.auth_time, acr: typeof source.acr === 'string' ? source.acr : undefined, amr: Object.freeze(amr) }),
  };
}

function jktOf(source: { cnf?: unknown }): { jkt?: string } {
  const cnf = source.cnf as { jkt?: unknown } | undefined;
  return typeof cnf === 'object' && cnf !== null && typeof cnf.jkt === 'string' ? { jkt: cnf.jkt } : {};
}

function freeze(principal: Principal): Principal {
  Object.freeze(principal.scopes);
  Object.freeze(principal.permissions);
  if (principal.user) Object.freeze(principal.user);
  if (principal.allowedEndpoints) Object.freeze(principal.allowedEndpoints);
  return Object.freeze(principal);
}

function splitScope(scope: unknown): string[] | undefined {
  if (scope === undefined) return [];
  if (typeof scope !== 'string') return undefined;
  const scopes = scope.split(' ');
  // Empty entries only come from doubled, leading or trailing spaces: rare, so filtered only then.
  return scopes.includes('') ? scopes.filter(Boolean) : scopes;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** From the claims of a verified RFC 9068 access token (iss, aud, exp, typ already checked). */
export function principalFromJwt(claims: Record<string, unknown>, audience: string): Principal | AuthErrorReason {
  const { sub, client_id: clientId, jti, exp } = claims;
  const scopes = splitScope(claims.scope);
  if (typeof sub !== 'string' || typeof clientId !== 'string' || typeof jti !== 'string' || typeof exp !== 'number' || !scopes) {
    return 'invalid_claims';
  }
  // An Auth0-style `permissions` array, when the server adds one; otherwise the scopes.
  const permissions = isStringArray(claims.permissions) ? [...claims.permissions] : [...scopes];
  return freeze({
    kind: 'access_token',
    format: 'jwt',
    subject: sub,
    // A sandbox subject is not a user: code keyed on `user` must not mistake it for one.
    user: sub !== clientId && claims.sandbox !== true ? { id: sub } : undefined,
    serviceAccount: undefined,
    clientId,
    scopes,
    permissions,
    sandbox: claims.sandbox === true,
    tokenId: jti,
    expiresAt: exp,
    audience,
    ...authenticationOf(claims),
    ...jktOf(claims),
  });
}

const ACTS_FOR_A_USER = new Set<CredentialKind>(['personal_access_token', 'user_token', 'action_token']);

export interface IntrospectionContext {
  issuer: string;
  audience: string;
  expectedKind: CredentialKind;
  now: number;
  /** Stands in for a missing `jti`: derived from the token's hash, never the token. */
  fallbackTokenId: string;
}

/** From an active introspection answer, after checking it is the credential we expect, here. */
export function principalFromIntrospection(answer: ActiveIntrospection, context: IntrospectionContext): Principal | AuthErrorReason {
  const { audience } = context;
  if (answer.token_kind !== context.expectedKind) return 'wrong_token_kind';
  const kind = context.expectedKind;
  if (answer.iss !== undefined && answer.iss !== context.issuer) return 'wrong_issuer';
  if (answer.aud !== undefined && !(Array.isArray(answer.aud) ? answer.aud.includes(audience) : answer.aud === audience)) {
    return 'wrong_audience';
  }
  if (answer.exp !== undefined && answer.exp <= context.now) return 'expired';
  const granted = answer.permissions?.[audience];
  // A user or action token carries the user's own access: its permissions on this API are its scopes.
  const keyed = kind === 'user_token' || kind === 'action_token';
  const scopes = keyed ? [...(granted ?? [])] : splitScope(answer.scope);
  if (!scopes) return 'invalid_claims';
  const serviceAccount = answer.service_account ?? (kind === 'service_access_token' ? answer.sub : undefined);
  const actsForUser =
    answer.username !== undefined || ACTS_FOR_A_USER.has(kind) || (kind === 'access_token' && serviceAccount === undefined && answer.sub !== answer.client_id);
  return freeze({
    kind,
    format: 'reference',
    subject: answer.sub,
    user: actsForUser && answer.sandbox !== true ? { id: answer.sub, ...(answer.username !== undefined ? { username: answer.username } : {}) } : undefined,
    serviceAccount,
    clientId: answer.client_id,
    scopes,
    permissions: granted ? [...granted] : [...scopes],
    sandbox: answer.sandbox === true,
    tokenId: answer.jti ?? context.fallbackTokenId,
    expiresAt: answer.exp,
    audience,
    ...(kind === 'action_token' ? { allowedEndpoints: [...(answer.allowed_endpoints ?? [])] } : {}),
    ...authenticationOf(answer),
    ...jktOf(answer),
  });
}
