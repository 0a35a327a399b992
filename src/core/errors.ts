/**
 * One error family for the whole engine. Every failure a client can cause is an
 * OAuthError with a stable RFC 6749 `error` code; the HTTP layer renders them in
 * exactly one place (src/http/respond.ts). Anything else that escapes is a bug and
 * becomes a generic `server_error` without details.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'unsupported_token_type'
  | 'access_denied'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'not_found'
  // Authorization endpoint (RFC 6749 §4.1.2.1, OpenID Connect Core §3.1.2.6)
  | 'unsupported_response_type'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'registration_not_supported'
  // Request objects and pushed requests (RFC 9101 §6.2, RFC 9126)
  | 'invalid_request_uri'
  | 'invalid_request_object'
  // Device authorization grant polling (RFC 8628 §3.5)
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  // Bearer token use (RFC 6750 §3.1)
  | 'invalid_token'
  | 'insufficient_scope'
  // Dynamic client registration (RFC 7591 §3.2.2)
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'invalid_software_statement'
  // DPoP (RFC 9449 §5, §7.1, §8)
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce';

export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly status: number;
  /** Extra response headers, e.g. WWW-Authenticate for invalid_client over Basic. */
  readonly headers: Record<string, string>;

  constructor(error: OAuthErrorCode, status: number, description: string, headers: Record<string, string> = {}) {
    super(description);
    this.name = 'OAuthError';
    this.error = error;
    this.status = status;
    this.headers = headers;
  }

  get description(): string {
    return this.message;
  }

  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.message };
  }
}

export const invalidRequest = (description: string) => new OAuthError('invalid_request', 400, description);
export const invalidGrant = (description: string) => new OAuthError('invalid_grant', 400, description);
export const invalidScope = (description: string) => new OAuthError('invalid_scope', 400, description);
export const invalidTarget = (description: string) => new OAuthError('invalid_target', 400, description);
export const unauthorizedClient = (description: string) => new OAuthError('unauthorized_client', 400, description);
export const unsupportedGrantType = (description: string) => new OAuthError('unsupported_grant_type', 400, description);
export const unsupportedTokenType = (description: string) => new OAuthError('unsupported_token_type', 400, description);

/**
 * RFC 6749 §5.2: invalid_client is a 401, and when the client tried HTTP Basic the
 * response must carry a WWW-Authenticate challenge for that scheme.
 */
export const invalidClient = (description: string, usedBasic = false) =>
  new OAuthError('invalid_client', 401, description, usedBasic ? { 'WWW-Authenticate': 'Basic realm="tessera", charset="UTF-8"' } : {});

/**
 * Too many failed client authentications from this client id or address: refused
 * unchecked for a while, with the wait in Retry-After (RFC 6585 §4, RFC 6749 §10.10).
 */
export const tooManyAttempts = (seconds: number) =>
  new OAuthError('temporarily_unavailable', 429, `too many failed client authentications; retry after ${seconds} seconds`, {
    'Retry-After': String(seconds),
  });

/** RFC 8628 §3.5: the device polls again later; slow_down asks it to wait `interval` seconds longer. */
export const authorizationPending = () => new OAuthError('authorization_pending', 400, 'the user has not yet approved or denied the request');
export const slowDown = (interval: number) => new OAuthError('slow_down', 400, `polling too fast; wait at least ${interval} seconds between requests`);
export const expiredToken = () => new OAuthError('expired_token', 400, 'the device code has expired; start again');

export const accessDenied = (description: string) => new OAuthError('access_denied', 400, description);
export const authorizationError = (error: OAuthErrorCode, description: string) => new OAuthError(error, 400, description);

export const notFound = (description = 'no such endpoint') => new OAuthError('not_found', 404, description);
// Transport-level problems keep the RFC 6749 shape (a client parses one format) with the
// HTTP status that names the problem.
export const methodNotAllowed = (allowed: string[]) =>
  new OAuthError('invalid_request', 405, `method not allowed; use ${allowed.join(' or ')}`, {
    Allow: allowed.join(', '),
  });
export const payloadTooLarge = (limit: number) => new OAuthError('invalid_request', 413, `request body exceeds ${limit} bytes`, { Connection: 'close' });
export const unsupportedMediaType = (expected: string) => new OAuthError('invalid_request', 400, `Content-Type must be ${expected}`);
export const serverError = () => new OAuthError('server_error', 500, 'internal error');
/**
 * A dependency (the database) cannot be reached for now: 503 with Retry-After, so
 * clients and load balancers retry rather than treat the request as refused.
 */
export const temporarilyUnavailable = (description = 'the service is temporarily unavailable; try again shortly') =>
  new OAuthError('temporarily_unavailable', 503, description, { 'Retry-After': '2' });

/** A request to create or change something names a bad value; `field` says which. */
export class ValidationError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'ValidationError';
    this.field = field;
  }
}

/** The thing a request names does not exist. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** Configuration mistakes: thrown at start, never at request time. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * A write conditioned on what was read (the management API's If-Match) found the
 * stored item changed or gone since: nothing was written. The management API answers
 * 412 precondition_failed; the caller reads it again.
 */
export class StaleWriteError extends Error {
  constructor(message = 'the resource changed since you read it (If-Match does not match); read it again') {
    super(message);
    this.name = 'StaleWriteError';
  }
}
