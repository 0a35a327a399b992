/**
 * Redirect URIs of self-registered clients. Three kinds are allowed (each can be
 * turned off): https for web apps; http on a loopback address for native apps, which
 * may then use any port (RFC 8252 §7.3); and private-use schemes (RFC 8252 §7.1).
 * RFC 8252 recommends reverse-domain schemes (com.example.app:), but desktop apps that
 * MCP users run register plain ones (cursor://, vscode://), so by default any scheme an
 * app may claim is taken (policy `privateUseSchemes`). Whatever the settings, schemes
 * that run script, read files or belong to the web or the operating system are refused.
 */
import { OAuthError } from '../errors.js';
import type { PrivateUseSchemes, RedirectUriKind } from '../config/registration-schema.js';

const NEVER_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:', 'filesystem:', 'view-source:', 'jar:']);
/**
 * Schemes that name something other than an app's own callback: the web's (a code would
 * travel in clear or to a server), mail and phone links, and operating-system handlers
 * that have been abused to run code (ms-msdt:, search-ms:). Refused as private-use schemes.
 */
const NOT_AN_APP_SCHEMES = new Set([
  'ftp:',
  'ws:',
  'wss:',
  'gopher:',
  'mailto:',
  'tel:',
  'sms:',
  'news:',
  'nntp:',
  'irc:',
  'ssh:',
  'smb:',
  'ldap:',
  'telnet:',
  'intent:',
  'chrome:',
  'edge:',
  'opera:',
  'resource:',
  'moz-extension:',
  'shell:',
  'ms-msdt:',
  'search-ms:',
  'search:',
  'ms-officecmd:',
]);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
const MAX_URI_LENGTH = 2000;

export const invalidRedirectUri = (description: string) => new OAuthError('invalid_redirect_uri', 400, description);

/**
 * The kind of a redirect URI, or why it cannot be registered at all. `privateUse` says
 * which private-use schemes count: only reverse-domain ones, or any an app may claim.
 */
export function redirectUriKind(uri: string, privateUse: PrivateUseSchemes = 'reverse-domain'): RedirectUriKind | { refused: string } {
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
  if (url.protocol === 'http:')
    return LOOPBACK_HOSTS.has(url.hostname) ? 'loopback' : { refused: 'uses http on a host other than a loopback address; use https' };
  // Lookalikes of the web's schemes (https-login:, http.example:) would pass for web addresses on the consent page.
  if (url.protocol.startsWith('http')) return { refused: `uses the ${url.protocol} scheme, which looks like a web address` };
  // RFC 8252 §7.1: a private-use scheme is a reverse domain name the app controls.
  if (/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(url.protocol)) return 'private-use';
  if (privateUse === 'reverse-domain') return { refused: 'uses a scheme that is neither https nor a reverse domain name (com.example.app:)' };
  return anyAppScheme(url.protocol);
}

/** With `privateUseSchemes: any`: a dotless scheme an app may claim (cursor:, vscode:), not one of the web's or the system's. */
function anyAppScheme(protocol: string): 'private-use' | { refused: string } {
  if (!/^[a-z][a-z0-9+.-]*:$/.test(protocol)) return { refused: 'uses a malformed scheme' };
  if (NOT_AN_APP_SCHEMES.has(protocol) || protocol.startsWith('ms-')) return { refused: `uses the ${protocol} scheme, which is not an app's own` };
  // web+name: schemes are claimed by web pages (navigator.registerProtocolHandler), not installed apps.
  if (protocol.startsWith('web+')) return { refused: `uses the ${protocol} scheme, which any web page can claim` };
  return 'private-use';
}

/** Checks each URI against the policy; throws invalid_redirect_uri naming the first bad one. */
export function checkRedirectUris(
  uris: readonly string[],
  policy: { redirectUriSchemes: readonly RedirectUriKind[]; privateUseSchemes: PrivateUseSchemes },
  field = 'redirect_uris',
): void {
  for (const uri of uris) {
    const kind = redirectUriKind(uri, policy.privateUseSchemes);
    if (typeof kind === 'object') throw invalidRedirectUri(`${field}: ${uri} ${kind.refused}`);
    if (!policy.redirectUriSchemes.includes(kind)) throw invalidRedirectUri(`${field}: ${uri}: ${kind} redirect URIs are not allowed here`);
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
