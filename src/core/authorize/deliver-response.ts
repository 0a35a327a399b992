/**
 * Sends an authorization response (success or error) back to the client in its
 * response mode: query, fragment, or an auto-submitting form (form_post). Every
 * response carries `iss` (RFC 9207) so the client can tell which server answered.
 */
import type { Views } from '../ports/views.js';
import type { EngineResponse } from '../request.js';
import type { ResponseMode } from './authorization-request.js';

export function deliverAuthorizationResponse(
  redirectUri: string,
  mode: ResponseMode,
  params: Record<string, string | undefined>,
  issuer: string,
  views: Pick<Views, 'formPost'>,
): EngineResponse {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...params, iss: issuer })) if (value !== undefined) fields[key] = value;
  if (mode === 'form_post') return views.formPost(redirectUri, fields);
  const url = new URL(redirectUri);
  if (mode === 'query') {
    for (const [key, value] of Object.entries(fields)) url.searchParams.set(key, value);
  } else {
    url.hash = new URLSearchParams(fields).toString();
  }
  return { status: 303, headers: { Location: url.href, 'Cache-Control': 'no-store' } };
}
