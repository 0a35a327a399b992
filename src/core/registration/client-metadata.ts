/**
 * RFC 7591 §2 client metadata, as a client sends it to register (or, RFC 7592, to
 * replace its registration): checked against the registration policy and turned into
 * the fields of a Client. Problems are RFC 7591 §3.2.2 errors: `invalid_redirect_uri`
 * for a redirect URI, `invalid_client_metadata` for anything else. Metadata Tessera
 * does not know is ignored (§2), as is a software statement (§2.3: it is not supported).
 */
import { OAuthError } from '../errors.js';
import { OIDC_SCOPES } from '../authorize/authorization-request.js';
import { SIGNING_ALGS, type Api, type Client, type ClientAuthMethod, type SigningAlg } from '../model.js';
import type { RegistrationPolicy } from './registration-policy.js';
import { checkRedirectUris, invalidRedirectUri } from './redirect-uris.js';

export const invalidMetadata = (description: string) => new OAuthError('invalid_client_metadata', 400, description);

const MAX_STRING = 2000;
const MAX_LIST = 20;
// Control characters, line separators, and the bidirectional embeddings, overrides and isolates that can make a name read backwards.
const CONTROL = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** What registration knows besides the request: the APIs, and the grants this server runs. */
export interface MetadataContext {
  policy: RegistrationPolicy;
  apis: readonly Api[];
  issuer: string;
  supportedGrants: readonly string[];
}

export type RegisteredFields = Pick<Client, 'name' | 'type' | 'tokenEndpointAuthMethod' | 'redirectUris' | 'grantTypes' | 'permissions'> &
  Partial<
    Pick<Client, 'jwks' | 'jwksUri' | 'postLogoutRedirectUris' | 'idTokenSignedResponseAlg' | 'backchannelLogoutUri' | 'backchannelLogoutSessionRequired'>
  >;

export interface ParsedMetadata {
  /** The metadata as registered (defaults filled in), in RFC 7591's names. */
  metadata: Record<string, unknown>;
  fields: RegisteredFields;
}

function optionalString(body: Record<string, unknown>, name: string, max = MAX_STRING): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max || CONTROL.test(value)) {
    throw invalidMetadata(`${name} must be a non-empty string of at most ${max} characters without control characters`);
  }
  return value;
}

function stringList(body: Record<string, unknown>, name: string, error = invalidMetadata): string[] | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > MAX_LIST || !value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= MAX_STRING)) {
    throw error(`${name} must be an array of at most ${MAX_LIST} non-empty strings`);
  }
  return [...new Set(value as string[])];
}

/** A web page about the client (client_uri, logo_uri, tos_uri, policy_uri, jwks_uri): https only. */
function webUri(body: Record<string, unknown>, name: string): string | undefined {
  const value = optionalString(body, name);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidMetadata(`${name} must be an absolute https URL`);
  }
  if (url.protocol !== 'https:' || url.username || url.password) throw invalidMetadata(`${name} must be an https URL`);
  return value;
}

/** The APIs a registered client may ask for: the policy's list, never Tessera's own APIs (the management API). */
export function registrableApis(ctx: Pick<MetadataContext, 'policy' | 'apis' | 'issuer'>): Api[] {
  const own = `${ctx.issuer}/`;
  return ctx.apis.filter((api) => !api.identifier.startsWith(own) && (ctx.policy.apis === undefined || ctx.policy.apis.includes(api.identifier)));
}

function permissionsFor(requested: string[] | undefined, ctx: MetadataContext): { permissions: Record<string, string[]>; scope: string[] } {
  const allowedScope = (s: string) => ctx.policy.scopes === undefined || ctx.policy.scopes.includes(s);
  const apis = registrableApis(ctx);
  const permissions: Record<string, string[]> = {};
  for (const api of apis) {
    const scopes = api.scopes.map((s) => s.name).filter((s) => allowedScope(s) && (requested === undefined || requested.includes(s)));
    if (requested === undefined || scopes.length > 0) permissions[api.identifier] = scopes;
  }
  const oidc = OIDC_SCOPES.filter((s) => allowedScope(s) && (requested === undefined || requested.includes(s)));
  const granted = new Set([...oidc, ...Object.values(permissions).flat()]);
  if (requested !== undefined) {
    const refused = requested.filter((s) => !granted.has(s));
    if (refused.length > 0) throw invalidMetadata(`scope: ${refused.join(' ')} may not be requested by registered clients`);
  }
  return { permissions, scope: [...granted] };
}

export function parseClientMetadata(input: unknown, ctx: MetadataContext): ParsedMetadata {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalidMetadata('the request body must be a JSON object of client metadata');
  const body = input as Record<string, unknown>;
  const { policy } = ctx;

  const method = (optionalString(body, 'token_endpoint_auth_method') ?? 'client_secret_basic') as ClientAuthMethod;
  if (!policy.tokenEndpointAuthMethods.includes(method)) {
    throw invalidMetadata(`token_endpoint_auth_method must be one of ${policy.tokenEndpointAuthMethods.join(', ')}`);
  }

  const grantTypes = stringList(body, 'grant_types') ?? ['authorization_code'];
  for (const grant of grantTypes) {
    if (!(policy.grantTypes as readonly string[]).includes(grant) || !ctx.supportedGrants.includes(grant)) {
      throw invalidMetadata(
        `grant_types: ${grant} may not be registered; allowed: ${policy.grantTypes.filter((g) => ctx.supportedGrants.includes(g)).join(', ')}`,
      );
    }
  }
  const responseTypes = stringList(body, 'response_types') ?? (grantTypes.includes('authorization_code') ? ['code'] : []);
  if (responseTypes.some((r) => r !== 'code')) throw invalidMetadata('response_types: only "code" is supported for registered clients');
  // RFC 7591 §2.1: the two lists must agree.
  if (responseTypes.includes('code') !== grantTypes.includes('authorization_code')) {
    throw invalidMetadata('response_types "code" and grant_types "authorization_code" go together');
  }

  const redirectUris = stringList(body, 'redirect_uris', invalidRedirectUri) ?? [];
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0)
    throw invalidRedirectUri('redirect_uris: at least one is required for authorization_code');
  checkRedirectUris(redirectUris, policy);
  const postLogout = stringList(body, 'post_logout_redirect_uris', invalidRedirectUri);
  if (postLogout) checkRedirectUris(postLogout, policy, 'post_logout_redirect_uris');

  const rawScope = optionalString(body, 'scope');
  const requested = rawScope === undefined ? undefined : [...new Set(rawScope.trim().split(/ +/).filter(Boolean))];
  if (requested?.some((s) => !SCOPE_TOKEN.test(s))) throw invalidMetadata('scope must be space-separated printable ASCII');
  const { permissions, scope } = permissionsFor(requested, ctx);

  const jwksUri = webUri(body, 'jwks_uri');
  let jwks: Client['jwks'];
  if (body.jwks !== undefined && body.jwks !== null) {
    const keys = (body.jwks as { keys?: unknown }).keys;
    if (
      typeof body.jwks !== 'object' ||
      !Array.isArray(keys) ||
      keys.length === 0 ||
      keys.length > MAX_LIST ||
      !keys.every((k) => typeof k === 'object' && k !== null && typeof (k as { kty?: unknown }).kty === 'string')
    ) {
      throw invalidMetadata('jwks must be a JSON Web Key Set: {"keys": [...]}');
    }
    if (keys.some((k) => 'd' in (k as object))) throw invalidMetadata('jwks must hold public keys only');
    jwks = { keys: keys as Record<string, unknown>[] };
  }
  if (jwks && jwksUri) throw invalidMetadata('send jwks or jwks_uri, not both');
  if (method === 'private_key_jwt' && !jwks && !jwksUri) throw invalidMetadata('private_key_jwt needs jwks or jwks_uri');

  const applicationType = optionalString(body, 'application_type');
  if (applicationType !== undefined && applicationType !== 'web' && applicationType !== 'native')
    throw invalidMetadata('application_type must be web or native');
  const idTokenAlg = optionalString(body, 'id_token_signed_response_alg');
  if (idTokenAlg !== undefined && !(SIGNING_ALGS as readonly string[]).includes(idTokenAlg)) {
    throw invalidMetadata(`id_token_signed_response_alg must be one of ${SIGNING_ALGS.join(', ')}`);
  }
  const contacts = stringList(body, 'contacts');
  if (contacts?.some((c) => c.length > 200 || CONTROL.test(c))) throw invalidMetadata('contacts must be short strings without control characters');

  // OIDC Back-Channel Logout §2.2: https, called through the SSRF-safe poster; no fragment.
  const backchannelLogoutUri = webUri(body, 'backchannel_logout_uri');
  if (backchannelLogoutUri?.includes('#')) throw invalidMetadata('backchannel_logout_uri must not contain a fragment');
  const sessionRequired = body.backchannel_logout_session_required;
  if (sessionRequired !== undefined && sessionRequired !== null && typeof sessionRequired !== 'boolean')
    throw invalidMetadata('backchannel_logout_session_required must be a boolean');

  const clientName = optionalString(body, 'client_name', 200);
  const metadata: Record<string, unknown> = {
    redirect_uris: redirectUris,
    token_endpoint_auth_method: method,
    grant_types: grantTypes,
    response_types: responseTypes,
    scope: scope.join(' '),
  };
  const optional: Record<string, unknown> = {
    client_name: clientName,
    client_uri: webUri(body, 'client_uri'),
    logo_uri: webUri(body, 'logo_uri'),
    tos_uri: webUri(body, 'tos_uri'),
    policy_uri: webUri(body, 'policy_uri'),
    contacts,
    software_id: optionalString(body, 'software_id', 200),
    software_version: optionalString(body, 'software_version', 200),
    application_type: applicationType,
    id_token_signed_response_alg: idTokenAlg,
    post_logout_redirect_uris: postLogout,
    jwks_uri: jwksUri,
    jwks,
    backchannel_logout_uri: backchannelLogoutUri,
    backchannel_logout_session_required: backchannelLogoutUri !== undefined ? sessionRequired === true : undefined,
  };
  for (const [name, value] of Object.entries(optional)) if (value !== undefined) metadata[name] = value;

  const fields: RegisteredFields = {
    name: clientName ?? 'Unnamed application',
    type: method === 'none' ? 'public' : 'confidential',
    tokenEndpointAuthMethod: method,
    redirectUris,
    grantTypes,
    permissions,
  };
  if (jwks) fields.jwks = jwks;
  if (jwksUri) fields.jwksUri = jwksUri;
  if (postLogout && postLogout.length > 0) fields.postLogoutRedirectUris = postLogout;
  if (idTokenAlg) fields.idTokenSignedResponseAlg = idTokenAlg as SigningAlg;
  if (backchannelLogoutUri) fields.backchannelLogoutUri = backchannelLogoutUri;
  if (backchannelLogoutUri && sessionRequired === true) fields.backchannelLogoutSessionRequired = true;
  return { metadata, fields };
}
