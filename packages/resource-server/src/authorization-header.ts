/**
 * Reads the one credential of a request from its Authorization header:
 *   Bearer <b64token>      JWT access tokens, reference tokens, PATs, SATs (RFC 6750 §2.1)
 *   Token <40 hex>         a user token
 *   ActionToken <40 hex>   an action token
 * Scheme names are case-insensitive (RFC 9110 §11.1). Nothing is looked up here.
 */
import { isHexKey } from './shared/token-string-check.js';
import type { AuthErrorReason } from './errors.js';

export type PresentedCredential =
  | { scheme: 'Bearer'; token: string }
  | { scheme: 'DPoP'; token: string }
  | { scheme: 'Token'; token: string }
  | { scheme: 'ActionToken'; token: string };

export type RequestHeaders = Record<string, string | string[] | undefined>;

const SCHEMES: Record<string, PresentedCredential['scheme']> = { bearer: 'Bearer', dpop: 'DPoP', token: 'Token', actiontoken: 'ActionToken' };
const CREDENTIALS = /^([^\s]+)(?: +(.*))?$/s;
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

function headerValue(headers: RequestHeaders): string | string[] | undefined {
  if (headers.authorization !== undefined) return headers.authorization;
  // Plain objects from hand-written callers may not lower-case their keys.
  const key = Object.keys(headers).find((k) => k.toLowerCase() === 'authorization');
  return key === undefined ? undefined : headers[key];
}

/** The scheme a (possibly malformed) single header names, for the challenge of its refusal; Bearer by default. */
export function presentedScheme(headers: RequestHeaders): PresentedCredential['scheme'] {
  const value = headerValue(headers);
  if (typeof value !== 'string') return 'Bearer';
  return SCHEMES[/^\S*/.exec(value.trim())![0].toLowerCase()] ?? 'Bearer';
}

export function readCredential(headers: RequestHeaders, maxLength: number): PresentedCredential | AuthErrorReason {
  let value = headerValue(headers);
  if (Array.isArray(value)) {
    if (value.length > 1) return 'multiple_credentials';
    value = value[0];
  }
  if (value === undefined || value === '') return 'missing_credentials';
  if (typeof value !== 'string') return 'malformed_header';
  if (value.length > maxLength) return 'header_too_large';
  const match = CREDENTIALS.exec(value.trim());
  if (!match) return 'malformed_header';
  const scheme = SCHEMES[match[1]!.toLowerCase()];
  if (!scheme) return 'unsupported_scheme';
  const token = match[2];
  if (!token || /\s/.test(token)) return 'malformed_header';
  if (scheme === 'Bearer' || scheme === 'DPoP') return B64TOKEN.test(token) ? { scheme, token } : 'malformed_header';
  return isHexKey(token) ? { scheme, token } : 'malformed_token';
}
