/**
 * A fetched client ID metadata document, checked and turned into a Client
 * (draft-ietf-oauth-client-id-metadata-document §4): its client_id must equal the URL
 * it came from, character for character; it is a public client or uses
 * private_key_jwt with a jwks_uri, never a shared secret; it gets the authorization
 * code grant (and refresh tokens) with exact redirect URIs. Such a client is always
 * third-party: `metadataDocument` makes the consent page ask every time and mark it
 * unverified.
 */
import type { Client } from '../model.js';

export interface DocumentPolicy {
  /** What such clients may ask users for, per API (then narrowed by the user's roles and consent). */
  permissions: Record<string, string[]>;
}

const GRANTS = ['authorization_code', 'refresh_token'];
const URI_SCHEME = /^[a-z][a-z0-9+.-]*:/i;
/** Control characters and bidirectional overrides: a name shown to users must read as it is written ("Safe App\u202Egnp.exe"). */
const UNSHOWABLE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

export class InvalidClientDocument extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidClientDocument';
  }
}

function fail(message: string): never {
  throw new InvalidClientDocument(`the client metadata document is invalid: ${message}`);
}

function stringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) fail(`${name} must be an array of strings`);
  return value as string[];
}

function redirectUri(value: string): string {
  if (!URI_SCHEME.test(value) || !URL.canParse(value)) fail(`redirect URI ${JSON.stringify(value.slice(0, 100))} is not an absolute URI`);
  const { protocol } = new URL(value);
  if (['javascript:', 'data:', 'vbscript:', 'file:', 'blob:'].includes(protocol)) fail(`redirect URIs may not use ${protocol}`);
  if (value.includes('#')) fail('redirect URIs may not contain a fragment');
  if (protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(new URL(value).hostname)) fail('http redirect URIs must be on a loopback host');
  return value;
}

function httpsUrl(value: unknown, name: string): string {
  if (typeof value !== 'string' || !URL.canParse(value) || new URL(value).protocol !== 'https:') fail(`${name} must be an https URL`);
  return value;
}

/** Parses and checks the body fetched from `clientId`; the Client it describes. */
export function clientFromDocument(clientId: string, body: string, policy: DocumentPolicy): { client: Client; jwksUri: string | undefined } {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    fail('it is not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('it is not a JSON object');
  const d = doc as Record<string, unknown>;
  if (d.client_id !== clientId) fail('its client_id is not the URL it was fetched from');
  if (d.client_secret !== undefined || d.client_secret_expires_at !== undefined) fail('it must not contain a client_secret');
  const method = d.token_endpoint_auth_method ?? 'none';
  if (method !== 'none' && method !== 'private_key_jwt') fail('token_endpoint_auth_method must be none or private_key_jwt');
  const jwksUri = d.jwks_uri === undefined ? undefined : httpsUrl(d.jwks_uri, 'jwks_uri');
  if (method === 'private_key_jwt' && jwksUri === undefined) fail('private_key_jwt needs a jwks_uri');
  if (d.jwks !== undefined) fail('publish keys at a jwks_uri, not inline');
  const redirectUris = (stringList(d.redirect_uris, 'redirect_uris') ?? fail('redirect_uris is required')).map(redirectUri);
  if (redirectUris.length === 0) fail('redirect_uris must not be empty');
  const grantTypes = stringList(d.grant_types, 'grant_types') ?? ['authorization_code'];
  const unsupported = grantTypes.filter((g) => !GRANTS.includes(g));
  if (unsupported.length > 0) fail(`grant type ${unsupported.join(', ')} is not available to these clients`);
  if (!grantTypes.includes('authorization_code')) fail('grant_types must include authorization_code');
  const responseTypes = stringList(d.response_types, 'response_types') ?? ['code'];
  if (responseTypes.some((r) => r !== 'code')) fail('response_types may only be code');
  const declared = typeof d.client_name === 'string' ? d.client_name.replace(UNSHOWABLE, '').trim() : '';
  const name = declared !== '' ? declared.slice(0, 100) : new URL(clientId).host;
  const client: Client = {
    clientId,
    name,
    type: method === 'none' ? 'public' : 'confidential',
    tokenEndpointAuthMethod: method,
    secrets: [],
    redirectUris,
    grantTypes,
    permissions: policy.permissions,
    introspection: 'own',
    requirePkce: true,
    metadataDocument: true,
  };
  return { client, jwksUri };
}
