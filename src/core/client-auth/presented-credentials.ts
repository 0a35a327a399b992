/**
 * Reads which client credentials a request presents, before anything is looked up.
 * RFC 6749 §2.3: a client uses exactly one authentication method per request.
 */
import { invalidClient, invalidRequest } from '../errors.js';
import type { ClientAuthMethod } from '../model.js';
import type { EngineRequest } from '../request.js';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export type PresentedCredentials =
  | { method: 'client_secret_basic'; clientId: string; secret: string }
  | { method: 'client_secret_post'; clientId: string; secret: string }
  | { method: 'private_key_jwt'; clientId: string; assertion: string }
  | { method: 'none'; clientId: string };

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64 (most contain nothing to decode). */
function formDecode(value: string): string {
  if (!value.includes('%') && !value.includes('+')) return value;
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function parseBasic(header: string): { clientId: string; secret: string } {
  const encoded = header.slice(6).trim();
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (!/^[A-Za-z0-9+/]+=*$/.test(encoded) || colon < 1) {
    throw invalidClient('malformed HTTP Basic credentials', true);
  }
  try {
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw invalidClient('malformed HTTP Basic credentials', true);
  }
}

function assertionSubject(assertion: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
    const sub = (payload as { sub?: unknown }).sub;
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}

export function readPresentedCredentials(request: EngineRequest): PresentedCredentials {
  const { params } = request;
  const authorization = request.headers.authorization;
  const basic = authorization !== undefined && /^basic /i.test(authorization);
  const bodyId = params.get('client_id');
  const bodySecret = params.get('client_secret');
  const assertion = params.get('client_assertion');
  const assertionType = params.get('client_assertion_type');

  const used = [basic, bodySecret !== undefined, assertion !== undefined].filter(Boolean).length;
  if (used > 1) throw invalidRequest('use exactly one client authentication method');

  if (basic) {
    const credentials = parseBasic(authorization);
    if (bodyId !== undefined && bodyId !== credentials.clientId) {
      throw invalidRequest('client_id in the body does not match the Authorization header');
    }
    return { method: 'client_secret_basic', ...credentials };
  }
  if (assertion !== undefined) {
    if (assertionType !== JWT_BEARER_ASSERTION) {
      throw invalidRequest(`client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
    }
    const clientId = bodyId ?? assertionSubject(assertion);
    if (clientId === undefined) throw invalidClient('client_assertion has no sub claim');
    return { method: 'private_key_jwt', clientId, assertion };
  }
  if (bodyId === undefined) throw invalidClient('client authentication is required');
  if (bodySecret !== undefined) return { method: 'client_secret_post', clientId: bodyId, secret: bodySecret };
  return { method: 'none', clientId: bodyId };
}

export type { ClientAuthMethod };
