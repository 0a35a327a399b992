/**
 * `tessera token mint`: a test token, the way the real flows would make it.
 *
 * Local mode (the store is here, so are the signing keys): the token is issued by the
 * engine's own AccessTokenIssuer, in the API's format and lifetime, after the checks
 * of the real flow: for a client those of client_credentials (resolveApi and
 * grantedScopes, the grant's own functions); for a user, scopes within the user's
 * roles (and the client's delegable scopes, with --client); for an API alone, scopes
 * the API defines, for a test subject. Each mint is audited as token.issued.
 *
 * Through the server (api mode) nothing is signed on the side: a client's token is a
 * real client_credentials request to /token (it needs the client's secret), and a
 * user's is a personal access token created through the management API that expires
 * with --ttl (default 1h). An API alone cannot be minted for through the server.
 */
import type { AuditActor } from '../../core/audit/audit-event.js';
import type { AuthorizationServer } from '../../core/authorization-server.js';
import { delegableScopes } from '../../core/authorize/check-scope.js';
import { permissionsOf } from '../../core/credentials/permissions.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { grantedScopes, resolveApi } from '../../core/grants/audience.js';
import type { Api } from '../../core/model.js';
import { Params } from '../../core/request.js';
import { AccessTokenIssuer } from '../../core/tokens/access-token-issuer.js';
import { duration } from '../output.js';
import { findUser, type UserOut } from '../resolve.js';
import { ManagementError, seg, type Target } from '../target.js';
import { UsageError } from '../usage-error.js';

export interface MintRequest {
  client?: string;
  user?: string;
  api?: string;
  scopes?: string[];
  /** Seconds. */
  ttl?: number;
  format?: 'jwt' | 'reference';
  subject?: string;
  clientSecret?: string;
}

export interface Minted {
  token: string;
  kind: 'access_token' | 'personal_access_token';
  format: 'jwt' | 'reference';
  api: string;
  scopes: string[];
  subject: string;
  clientId?: string;
  expiresAt: number;
  /** The token's id (jti). */
  id?: string;
  /** How it was made, in a sentence. */
  how: string;
}

/** client_id of tokens minted for a user without --client, or for an API alone. */
export const CLI_CLIENT_ID = 'tessera-cli';

export async function mint(target: Target, request: MintRequest, actor: AuditActor): Promise<Minted> {
  if (request.user === undefined && request.client === undefined && request.api === undefined) {
    throw new UsageError('say whom the token is for: --client ID, --user USER or --api URL');
  }
  return target.engine ? mintLocally(target, target.engine, request, actor) : mintThroughServer(target, request);
}

function checkTtl(api: Api, ttl: number | undefined): number {
  if (ttl === undefined) return api.ttl;
  if (ttl > api.ttl) throw new ValidationError('ttl', `at most the token lifetime of ${api.identifier}, ${duration(api.ttl)}`);
  return ttl;
}

async function mintLocally(target: Target, engine: AuthorizationServer, request: MintRequest, actor: AuditActor): Promise<Minted> {
  let api: Api;
  let scopes: string[];
  let subject: string;
  let clientId = CLI_CLIENT_ID;
  let label: string;
  const wanted = request.scopes;
  if (request.user !== undefined) {
    const user: UserOut = await findUser(target, request.user);
    if (!user.active) throw new ValidationError('user', `${user.username} is inactive: no token`);
    const client = request.client !== undefined ? await engine.store.getClient(request.client) : undefined;
    if (request.client !== undefined && !client) throw new NotFoundError(`no client ${request.client}`);
    const identifier = request.api ?? client?.api;
    if (identifier === undefined) throw new UsageError('--api is required');
    const found = await engine.catalog.api(identifier);
    if (!found) throw new NotFoundError(`no API ${identifier}`);
    api = found;
    let allowed = ((await permissionsOf(engine.store, user.roles))[api.identifier] ?? []).filter((s) => api.scopes.some((d) => d.name === s));
    let whose = `the roles of ${user.username}`;
    if (client) {
      if (identifier !== client.api && !client.permissions[identifier]) throw new ValidationError('api', `client ${client.clientId} may not request access to ${identifier}`);
      const delegable = delegableScopes(client, api);
      allowed = allowed.filter((s) => delegable.includes(s));
      whose += ` and what ${client.clientId} may ask for`;
      clientId = client.clientId;
    }
    if (allowed.length === 0) throw new ValidationError('scope', `${whose} give no scope on ${api.identifier}`);
    const refused = (wanted ?? []).filter((s) => !allowed.includes(s));
    if (refused.length > 0) throw new ValidationError('scope', `not within ${whose} on ${api.identifier}: ${refused.join(' ')} (allowed: ${allowed.join(' ')})`);
    scopes = wanted ?? allowed;
    subject = user.id;
    label = `user ${user.username}`;
  } else if (request.client !== undefined) {
    const client = await engine.store.getClient(request.client);
    if (!client) throw new NotFoundError(`no client ${request.client}`);
    if (client.type !== 'confidential') throw new ValidationError('client', `${client.clientId} is a public client: public clients cannot use client_credentials`);
    if (!client.grantTypes.includes('client_credentials')) throw new ValidationError('client', `${client.clientId} may not use client_credentials (its grants: ${client.grantTypes.join(' ') || 'none'})`);
    // The client_credentials grant's own checks (grants/client-credentials.ts).
    api = await resolveApi(engine.catalog, client, new Params(request.api !== undefined ? [['resource', request.api]] : []));
    const allowed = client.permissions[api.identifier];
    if (!allowed) throw new ValidationError('api', `client ${client.clientId} is not allowed to access ${api.identifier}`);
    scopes = grantedScopes(api, allowed, wanted?.join(' '));
    subject = client.clientId;
    clientId = client.clientId;
    label = `client ${client.clientId} (client_credentials)`;
  } else {
    const found = await engine.catalog.api(request.api!);
    if (!found) throw new NotFoundError(`no API ${request.api}`);
    api = found;
    const unknown = (wanted ?? []).filter((s) => !api.scopes.some((d) => d.name === s));
    if (unknown.length > 0) throw new ValidationError('scope', `${api.identifier} has no scope ${unknown.join(' ')}`);
    scopes = wanted ?? api.scopes.map((s) => s.name);
    subject = request.subject ?? 'tessera-cli-test';
    label = `test subject ${subject}`;
  }
  const format = request.format ?? api.format;
  const issuer = new AccessTokenIssuer(engine.issuer, engine.keys, engine.store, engine.hasher, engine.clock);
  const issued = await issuer.issue({ api: { ...api, format, ttl: checkTtl(api, request.ttl) }, clientId, subject, scopes });
  engine.audit.record({
    type: 'token.issued',
    outcome: 'success',
    actor,
    subject,
    clientId,
    api: api.identifier,
    scopes,
    tokenKind: 'access_token',
    tokenId: issued.jti,
    details: { grantType: 'tessera token mint' },
  });
  return {
    token: issued.token,
    kind: 'access_token',
    format: issued.format,
    api: api.identifier,
    scopes,
    subject,
    clientId,
    expiresAt: issued.expiresAt,
    id: issued.jti,
    how: `minted a ${issued.format === 'jwt' ? 'JWT' : 'reference'} access token for ${label} on ${api.identifier}, issued in-process from the local store`,
  };
}

async function mintThroughServer(target: Target, request: MintRequest): Promise<Minted> {
  if (request.format !== undefined) throw new UsageError('--format needs the local store; through the server, tokens come in their API\'s format');
  if (request.user !== undefined) {
    if (request.client !== undefined) throw new UsageError('--user with --client needs the local store; through the server, a user\'s test token is a PAT');
    if (request.api === undefined) throw new UsageError('--api is required');
    const user = await findUser(target, request.user);
    const scopes = request.scopes ?? (await scopesOf(target, user, request.api));
    const expiresIn = request.ttl ?? 3600;
    const created = await target.call<{ token: string; summary: { id: string; expiresAt?: number } }>('POST', '/tokens', {
      body: { kind: 'personal_access_token', userId: user.id, name: `tessera token mint ${new Date().toISOString().slice(0, 19)}Z`, api: request.api, scopes, expiresIn },
    });
    return {
      token: created.body.token,
      kind: 'personal_access_token',
      format: 'reference',
      api: request.api,
      scopes,
      subject: user.id,
      expiresAt: created.body.summary.expiresAt ?? Math.floor(Date.now() / 1000) + expiresIn,
      id: created.body.summary.id,
      how: `created a personal access token for user ${user.username} on ${request.api} through the management API (it expires in ${duration(expiresIn)}; revoke it with \`tessera tokens revoke ${created.body.summary.id}\`)`,
    };
  }
  if (request.client !== undefined) {
    if (request.ttl !== undefined) throw new UsageError('--ttl needs the local store; through the server, a client\'s token lives as long as its API says');
    if (request.clientSecret === undefined) {
      throw new UsageError('through the server, a client\'s token comes from a real client_credentials request: give its secret in TESSERA_CLIENT_SECRET or with --client-secret-stdin');
    }
    const form: Record<string, string> = { grant_type: 'client_credentials' };
    if (request.api !== undefined) form.resource = request.api;
    if (request.scopes !== undefined) form.scope = request.scopes.join(' ');
    const body = await postForm(target.server!, '/token', request.client, request.clientSecret, form);
    const token = String(body.access_token);
    const claims = token.split('.').length === 3 ? decodeClaims(token) : undefined;
    return {
      token,
      kind: 'access_token',
      format: claims ? 'jwt' : 'reference',
      api: String(claims?.aud ?? request.api ?? ''),
      scopes: String(body.scope ?? '').split(' ').filter(Boolean),
      subject: request.client,
      clientId: request.client,
      expiresAt: Math.floor(Date.now() / 1000) + Number(body.expires_in ?? 0),
      ...(typeof claims?.jti === 'string' ? { id: claims.jti } : {}),
      how: `got an access token for client ${request.client} with client_credentials from ${target.server}/token`,
    };
  }
  throw new UsageError('minting for an API alone signs with the server\'s keys and needs the local store; through the server, mint for --client (with its secret) or --user (a PAT)');
}

/** The scopes a user's roles give on an API, read through the API (read:roles). */
async function scopesOf(target: Target, user: UserOut, api: string): Promise<string[]> {
  const scopes = new Set<string>();
  for (const role of user.roles) {
    const found = await target.call<{ permissions: Record<string, string[]> }>('GET', `/roles/${seg(role)}`).catch((error: unknown) => {
      if (error instanceof ManagementError && error.status === 404) return undefined;
      throw error;
    });
    for (const scope of found?.body.permissions[api] ?? []) scopes.add(scope);
  }
  if (scopes.size === 0) throw new ValidationError('scope', `the roles of ${user.username} give no scope on ${api}`);
  return [...scopes];
}

export function decodeClaims(jwt: string): Record<string, unknown> | undefined {
  try {
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as unknown;
    return claims !== null && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A form POST to one of the server's OAuth endpoints, as the client (HTTP Basic, then client_secret_post). */
export async function postForm(server: string, path: string, clientId: string, secret: string, form: Record<string, string>): Promise<Record<string, unknown>> {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  const attempt = async (basic: boolean) => {
    const body = new URLSearchParams(basic ? form : { ...form, client_id: clientId, client_secret: secret });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (basic) headers.authorization = `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
    let response: Response;
    try {
      response = await fetch(`${server}${path}`, { method: 'POST', headers, body });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      throw new Error(`cannot reach ${server}: ${cause?.code ?? (error as Error).message}`);
    }
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      throw new Error(`${server}${path} answered ${response.status}, not JSON: is ${server} a Tessera server?`);
    }
    return { status: response.status, json };
  };
  let result = await attempt(true);
  if (result.status === 401 && /registered for client_secret_post/.test(String(result.json.error_description))) result = await attempt(false);
  if (result.status !== 200) {
    throw new Error(`${path} refused (${result.status}): ${String(result.json.error ?? 'error')}: ${String(result.json.error_description ?? '')}`.trimEnd());
  }
  return result.json;
}
