/**
 * The SDK's one error family. Every refusal has a stable machine reason (`debug`), the
 * RFC 6750 error code and status it maps to, and the `WWW-Authenticate` challenge to
 * send. Rendered to an HTTP response in exactly one place (renderAuthError).
 */

/** RFC 6750 §3.1 codes, plus a 503 for when Tessera itself cannot be asked. */
export type AuthErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'insufficient_scope'
  | 'insufficient_user_authentication'
  | 'temporarily_unavailable';

interface ReasonSpec {
  status: 400 | 401 | 403 | 503;
  /** Undefined: the request carried no credentials we know, so no error code (RFC 6750 §3.1). */
  error: AuthErrorCode | undefined;
  message: string;
}

const REASONS = {
  missing_credentials: { status: 401, error: undefined, message: 'no credentials were presented' },
  unsupported_scheme: { status: 401, error: undefined, message: 'the Authorization scheme is not Bearer, Token or ActionToken' },
  malformed_header: { status: 400, error: 'invalid_request', message: 'the Authorization header is malformed' },
  header_too_large: { status: 400, error: 'invalid_request', message: 'the Authorization header is too large' },
  multiple_credentials: { status: 400, error: 'invalid_request', message: 'more than one Authorization header was sent' },
  malformed_token: { status: 401, error: 'invalid_token', message: 'the token is not in any format Tessera issues' },
  bad_prefix: { status: 401, error: 'invalid_token', message: 'the token prefix is unknown' },
  bad_length: { status: 401, error: 'invalid_token', message: 'the token has the wrong length' },
  bad_checksum: { status: 401, error: 'invalid_token', message: 'the token checksum is wrong (mistyped or truncated)' },
  wrong_token_kind: { status: 401, error: 'invalid_token', message: 'this kind of credential is not accepted here' },
  unsupported_token: { status: 401, error: 'invalid_token', message: 'this API is not configured to introspect opaque tokens' },
  malformed_jwt: { status: 401, error: 'invalid_token', message: 'the JWT is malformed' },
  alg_not_allowed: { status: 401, error: 'invalid_token', message: 'the JWT signing algorithm is not allowed' },
  wrong_typ: { status: 401, error: 'invalid_token', message: 'the JWT is not an access token (typ must be at+jwt)' },
  unknown_key: { status: 401, error: 'invalid_token', message: 'the JWT was signed with a key the issuer does not publish' },
  bad_signature: { status: 401, error: 'invalid_token', message: 'the JWT signature is invalid' },
  invalid_claims: { status: 401, error: 'invalid_token', message: 'the token claims are missing or malformed' },
  wrong_issuer: { status: 401, error: 'invalid_token', message: 'the token is from another issuer' },
  wrong_audience: { status: 401, error: 'invalid_token', message: 'the token is for another audience' },
  expired: { status: 401, error: 'invalid_token', message: 'the token has expired' },
  not_yet_valid: { status: 401, error: 'invalid_token', message: 'the token is not valid yet (nbf)' },
  inactive: { status: 401, error: 'invalid_token', message: 'the token is not active (revoked, expired or unknown)' },
  revoked: { status: 401, error: 'invalid_token', message: 'the token has been revoked' },
  endpoint_not_allowed: { status: 403, error: 'insufficient_scope', message: 'the action token does not allow this endpoint' },
  insufficient_scope: { status: 403, error: 'insufficient_scope', message: 'the token lacks a required scope' },
  insufficient_permissions: { status: 403, error: 'insufficient_scope', message: 'the token lacks a required permission' },
  insufficient_user_authentication: { status: 401, error: 'insufficient_user_authentication', message: 'the user must sign in more strongly or more recently' },
  not_authenticated: { status: 401, error: undefined, message: 'the route requires authentication' },
  jwks_unavailable: { status: 503, error: 'temporarily_unavailable', message: 'the issuer keys could not be fetched' },
  dpop_proof_invalid: { status: 401, error: 'invalid_dpop_proof', message: 'the DPoP proof is missing or invalid' },
  dpop_replayed: { status: 401, error: 'invalid_dpop_proof', message: 'the DPoP proof was used before' },
  dpop_nonce_required: { status: 401, error: 'use_dpop_nonce', message: 'the DPoP proof must carry the nonce in the DPoP-Nonce header' },
  dpop_key_mismatch: { status: 401, error: 'invalid_token', message: 'the token is bound to another key than the DPoP proof' },
  dpop_not_bound: { status: 401, error: 'invalid_token', message: 'the token is not bound to a key (send it as Bearer)' },
  dpop_bound_as_bearer: { status: 401, error: 'invalid_token', message: 'the token is bound to a key: send it with the DPoP scheme and a proof' },
  dpop_unsupported: { status: 401, error: undefined, message: 'this API is not configured for DPoP' },
  introspection_unavailable: { status: 503, error: 'temporarily_unavailable', message: 'the introspection endpoint could not be reached' },
} as const satisfies Record<string, ReasonSpec>;

/** Why a request was refused: stable, for logs and tests. */
export type AuthErrorReason = keyof typeof REASONS;

const GENERIC: Record<AuthErrorCode | 'none', string> = {
  none: 'Authentication is required',
  invalid_request: 'The Authorization header is malformed',
  invalid_token: 'The access token is invalid',
  invalid_dpop_proof: 'The DPoP proof is invalid',
  use_dpop_nonce: 'Resend the DPoP proof with the nonce in the DPoP-Nonce header',
  insufficient_scope: 'The access token does not allow this request',
  insufficient_user_authentication: 'A more recent or stronger sign-in is required',
  temporarily_unavailable: 'Token validation is temporarily unavailable',
};

export interface AuthError {
  readonly status: 400 | 401 | 403 | 503;
  /** The RFC 6750 error code; undefined when no credentials were presented. */
  readonly error: AuthErrorCode | undefined;
  readonly description: string;
  /** The challenge to send; undefined on a 503 (nothing the client could fix). */
  readonly wwwAuthenticate: string | undefined;
  /** The exact reason, always set; shown to the client only in debug mode. */
  readonly debug: AuthErrorReason;
  /** The scopes the request needs (insufficient_scope from a guard). */
  readonly scope?: string;
  /** RFC 9470: the acr the request needs (insufficient_user_authentication). */
  readonly acrValues?: string;
  /** RFC 9470: how recent the sign-in must be, in seconds. */
  readonly maxAge?: number;
  /** RFC 9449 §9: the nonce the client must put in its next proof (sent as `DPoP-Nonce`). */
  readonly dpopNonce?: string;
}

/** RFC 9470 §3's challenge parameters. */
export interface StepUp {
  acrValues?: string;
  maxAge?: number;
}

export interface ErrorStyle {
  debug: boolean;
  realm: string | undefined;
  /** The RFC 9728 metadata URL the challenges name (`resource_metadata`, §5.1). */
  resourceMetadata?: string | undefined;
  /** DPoP challenges name the proof algorithms accepted (RFC 9449 §7.1). */
  dpopAlgorithms?: readonly string[] | undefined;
}

/** Keeps a quoted-string parameter inside RFC 6750's allowed characters. */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '')}"`;
}

/** The challenge names the scheme the request used (RFC 9110 §11.6.1): Bearer unless a Token or ActionToken was refused. */
export type ChallengeScheme = 'Bearer' | 'DPoP' | 'Token' | 'ActionToken';

export function authError(
  reason: AuthErrorReason,
  style: ErrorStyle,
  scope?: string,
  scheme: ChallengeScheme = 'Bearer',
  stepUp: StepUp = {},
  dpopNonce?: string,
): AuthError {
  const spec: ReasonSpec = REASONS[reason];
  const description = style.debug ? `${spec.message} (${reason})` : GENERIC[spec.error ?? 'none'];
  const params: string[] = [];
  if (style.realm !== undefined) params.push(`realm=${quoted(style.realm)}`);
  if (spec.error) params.push(`error=${quoted(spec.error)}`, `error_description=${quoted(description)}`);
  if (scope) params.push(`scope=${quoted(scope)}`);
  if (stepUp.acrValues !== undefined) params.push(`acr_values=${quoted(stepUp.acrValues)}`);
  if (stepUp.maxAge !== undefined) params.push(`max_age=${stepUp.maxAge}`);
  if (scheme === 'DPoP' && style.dpopAlgorithms?.length) params.push(`algs=${quoted(style.dpopAlgorithms.join(' '))}`);
  if (style.resourceMetadata !== undefined) params.push(`resource_metadata=${quoted(style.resourceMetadata)}`);
  return {
    status: spec.status,
    error: spec.error,
    description,
    wwwAuthenticate: spec.status === 503 ? undefined : params.length ? `${scheme} ${params.join(', ')}` : scheme,
    debug: reason,
    ...(scope ? { scope } : {}),
    ...(stepUp.acrValues !== undefined ? { acrValues: stepUp.acrValues } : {}),
    ...(stepUp.maxAge !== undefined ? { maxAge: stepUp.maxAge } : {}),
    ...(dpopNonce !== undefined ? { dpopNonce } : {}),
  };
}

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The one rendering of an AuthError as an HTTP response, used by every adapter. */
export function renderAuthError(error: AuthError): RenderedError {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (error.wwwAuthenticate) headers['www-authenticate'] = error.wwwAuthenticate;
  if (error.dpopNonce !== undefined) headers['dpop-nonce'] = error.dpopNonce;
  const body = { ...(error.error ? { error: error.error } : {}), error_description: error.description, ...(error.scope ? { scope: error.scope } : {}) };
  return { status: error.status, headers, body: JSON.stringify(body) };
}
