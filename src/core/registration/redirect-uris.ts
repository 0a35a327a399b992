/**
 * Redirect URIs of self-registered clients. Three kinds are allowed (each can be
 * turned off): https for web apps; http on a loopback address for native apps, which
 * may then use any port (RFC 8252 §7.3); and private-use schemes in reverse domain
 * form (RFC 8252 §7.1). Script-bearing schemes are refused whatever the settings.
 */
import { OAuthError } from '../errors.js';
import type { RedirectUriKind } from '../config/registration-schema.js';

const NEVER_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:']);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
const MAX_URI_LENGTH = 2000;

export const invalidRedirectUri = (description: string) => new OAuthError('invalid_redirect_uri', 400, description);

/** The kind of a redirect URI, or why it cannot be registered at all. */
export function redirectUriKind(uri: string): RedirectUriKind | { refused: string } {
  if (uri.length > MAX_URI_LENGTH) return { refused: `is longer than ${MAX_URI_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { refused: 'is not an absolute URI' };
  }
  if (NEVER_SCHEMES.has(url.protocol)) return { refused: `uses the ${url.protocol} scheme` };
  if (url.hash || uri.includes('#')) return { refused: 'must not contain a fragment' };
  if (url.username || url.password) return { refused: 'must not contain user information' };
  if (url.protocol === 'https:') return 'https';
  if (url.protocol === 'http:') return LOOPBACK_HOSTS.has(url.hostname) ? 'loopback' : { refused: 'uses http on a host other than a loopback address; use https' };
  // RFC 8252 §7.1: a private-use scheme is a reverse domain name the app controls.
  return /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(url.protocol) ? 'private-use' : { refused: 'uses a scheme that is neither https nor a reverse domain name (com.example.app:)' };
}

/** Checks each URI against the allowed kinds; throws invalid_redirect_uri naming the first bad one. */
export function checkRedirectUris(uris: readonly string[], allowed: readonly RedirectUriKind[], field = 'redirect_uris'): void {
  for (const uri of uris) {
    const kind = redirectUriKind(uri);
    if (typeof kind === 'object') throw invalidRedirectUri(`${field}: ${uri} ${kind.refused}`);
    if (!allowed.includes(kind)) throw invalidRedirectUri(`${field}: ${uri}: ${kind} redirect URIs are not allowed here`);
  }
}

/**
 * RFC 8252 §7.3: a registered loopback redirect URI matches the same URI on any port.
 * Only http on 127.0.0.1, [::1] or localhost; scheme, host, path and query must be equal.
 */
export function matchesLoopbackAnyPort(registered: string, given: string): boolean {
  let a: URL;
  let b: URL;
  try {
    a = new URL(registered);
    b = new URL(given);
  } catch {
    return false;
  }
  if (a.protocol !== 'http:' || b.protocol !== 'http:' || !LOOPBACK_HOSTS.has(a.hostname)) return false;
  // Only the port may differ, and the given URI must be in canonical form (no dot segments, no escapes to normalise).
  if (b.href !== given || b.username || b.password || b.hash) return false;
  a.port = '';
  b.port = '';
  return a.href === b.href;
}
