/**
 * Which client_ids are URLs of client ID metadata documents
 * (draft-ietf-oauth-client-id-metadata-document §3): https, a path, no fragment, no
 * user information, no dot segments. Anything else is an ordinary client_id.
 */

/** Cheap test, before any parsing: only these are ever fetched. */
export function looksLikeClientIdUrl(clientId: string): boolean {
  return clientId.startsWith('https://');
}

/** The URL to fetch, or why this client_id cannot be a metadata document URL. */
export function parseClientIdUrl(clientId: string): URL | string {
  if (clientId.length > 2048) return 'the client_id URL is longer than 2048 characters';
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return 'the client_id is not a valid URL';
  }
  if (url.protocol !== 'https:') return 'a client_id URL must use https';
  if (url.username !== '' || url.password !== '') return 'a client_id URL must not contain a user name or password';
  if (clientId.includes('#')) return 'a client_id URL must not contain a fragment';
  if (url.pathname === '/' || url.pathname === '') return 'a client_id URL must contain a path';
  // The raw string, not the parsed one: URL parsing resolves dot segments away.
  const rawPath = clientId.slice(clientId.indexOf('/', 'https://'.length)).split('?')[0]!;
  if (rawPath.split('/').some((segment) => segment === '.' || segment === '..' || /^%2e%2e?$|^\.%2e$|^%2e\.$/i.test(segment))) {
    return 'a client_id URL must not contain dot path segments';
  }
  if (url.href !== clientId) return 'the client_id URL is not in its normalised form';
  return url;
}
