/**
 * A test access token, made the way the real flows would make it, by the engine in
 * this process (the CLI's local store, the management API's POST /dev/tokens).
 *
 * The token is issued by the engine's own AccessTokenIssuer, in the API's format and
 * at most its lifetime, after the checks of the real flow: for a client those of
 * client_credentials (resolveApi and grantedScopes, the grant's own functions); for a
 * user, scopes within the user's roles (and the client's delegable scopes, when a
 * client is named); for an API alone, scopes the API defines, for a test subject.
 * Each mint is audited as token.issued. A reference to nothing (no such user, client
 * or API) is a ValidationError of that field: it is bad input, not a missing resource.
 *
 * A caller that is not the operator of the store (the management API's) is held to what
 * it holds (`MintCaller`): it may act as a client or for a user only if it holds all they
 * hold, a token carries only scopes the caller holds, and a test subject may not name a
 * real user, client or service account.
 */
import type { AuditActor } from '../core/audit/audit-event.js';
import type { AuthorizationServer } from '../core/authorization-server.js';
import { delegableScopes } from '../core/authorize/check-scope.js';
import { allowedScopes } from '../core/credentials/permissions.js';
import { ValidationError } from '../core/errors.js';
import { grantedScopes, resolveApi } from '../core/grants/audience.js';
import type { Api, Client, User } from '../core/model.js';
import { Params } from '../core/request.js';
import { AccessTokenIssuer } from '../core/tokens/access-token-issuer.js';
import { duration } from './time-words.js';

export interface MintRequest {
  /** A client id: as the client itself (client_credentials), or with `user`, the client acting for the user. */
  client?: string;
  /** A username or user id. */
  user?: string;
  /** The API identifier (audience). */
  api?: string;
  scopes?: string[];
  /** Seconds; at most the API's token lifetime. */
  ttl?: number;
  format?: 'jwt' | 'reference';
  /** The subject of a token for an API alone. */
  subject?: string;
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

/** Who mints, when not the operator: what it holds, and whom it may act for. */
export interface MintCaller {
  /** The scopes among `scopes` on `api` that the caller does not hold. */
  notHeld(api: string, scopes: readonly string[]): string[];
  /** Throws unless the caller may act for the user (or as the client): it holds all they hold. */
  requireMayActFor(who: { user: User } | { client: Client }): Promise<void>;
}

/** The minted scopes would exceed what the caller holds. */
export class ScopesNotHeldError extends Error {}

export interface MintOptions {
  /** client_id of tokens for a user without a client, or for an API alone. */
  defaultClientId: string;
  /** Where the token was made, for `how` and the audit record (e.g. "from the local store"). */
  origin: string;
  /** The grantType the audit record names. */
  auditAs: string;
  /** Absent for the operator of the local store, who holds everything. */
  caller?: MintCaller;
}

/** Asked-for scopes must all be held; a default is narrowed to what is held. */
function withinCaller(caller: MintCaller | undefined, api: Api, scopes: string[], asked: boolean): string[] {
  const missing = caller?.notHeld(api.identifier, scopes) ?? [];
  if (asked && missing.length > 0)
    throw new ScopesNotHeldError(`you do not hold ${missing.join(' ')} on ${api.identifier}: a test token carries only scopes you hold`);
  const held = scopes.filter((s) => !missing.includes(s));
  if (held.length === 0) throw new ScopesNotHeldError(`you hold none of the scopes this token would carry on ${api.identifier}`);
  return held;
}

/** A test subject is nobody real: not a user, a client or a service account. */
async function checkTestSubject(engine: AuthorizationServer, subject: string): Promise<void> {
  const store = engine.store;
  const taken =
    (await store.getUser(subject)) ??
    (await store.getUserByUsername(subject)) ??
    (await store.getClient(subject)) ??
    (await store.getServiceAccount(subject)) ??
    (await store.getServiceAccountByName(subject));
  if (taken) throw new ValidationError('subject', `${subject} names a real user, client or service account: choose a test subject`);
}

function checkTtl(api: Api, ttl: number | undefined): number {
  if (ttl === undefined) return api.ttl;
  if (ttl > api.ttl) throw new ValidationError('ttl', `at most the token lifetime of ${api.identifier}, ${duration(api.ttl)}`);
  return ttl;
}

async function findUser(engine: AuthorizationServer, ref: string): Promise<User> {
  const user = (await engine.store.getUserByUsername(ref)) ?? (await engine.store.getUser(ref));
  if (!user) throw new ValidationError('user', `no user ${ref}`);
  return user;
}

export async function mintTestToken(engine: AuthorizationServer, request: MintRequest, actor: AuditActor, options: MintOptions): Promise<Minted> {
  if (request.user === undefined && request.client === undefined && request.api === undefined) {
    throw new ValidationError('api', 'say whom the token is for: a client, a user or an API');
  }
  let api: Api;
  let scopes: string[];
  let subject: string;
  let clientId = options.defaultClientId;
  let label: string;
  const wanted = request.scopes;
  if (request.user !== undefined) {
    const user = await findUser(engine, request.user);
    if (!user.active) throw new ValidationError('user', `${user.username} is inactive: no token`);
    await options.caller?.requireMayActFor({ user });
    const client = request.client !== undefined ? await engine.store.getClient(request.client) : undefined;
    if (request.client !== undefined && !client) throw new ValidationError('client', `no client ${request.client}`);
    const identifier = request.api ?? client?.api;
    if (identifier === undefined) throw new ValidationError('api', 'required: the API the token is for');
    const found = await engine.catalog.api(identifier);
    if (!found) throw new ValidationError('api', `no API ${identifier}`);
    api = found;
    let allowed = await allowedScopes(engine.store, user.roles, api);
    let whose = `the roles of ${user.username}`;
    if (client) {
      if (identifier !== client.api && !client.permissions[identifier])
        throw new ValidationError('api', `client ${client.clientId} may not request access to ${identifier}`);
      const delegable = delegableScopes(client, api);
      allowed = allowed.filter((s) => delegable.includes(s));
      whose += ` and what ${client.clientId} may ask for`;
      clientId = client.clientId;
    }
    if (allowed.length === 0) throw new ValidationError('scope', `${whose} give no scope on ${api.identifier}`);
    const refused = (wanted ?? []).filter((s) => !allowed.includes(s));
    if (refused.length > 0)
      throw new ValidationError('scope', `not within ${whose} on ${api.identifier}: ${refused.join(' ')} (allowed: ${allowed.join(' ')})`);
    scopes = withinCaller(options.caller, api, wanted ?? allowed, wanted !== undefined);
    subject = user.id;
    label = `user ${user.username}`;
  } else if (request.client !== undefined) {
    const client = await engine.store.getClient(request.client);
    if (!client) throw new ValidationError('client', `no client ${request.client}`);
    if (client.type !== 'confidential')
      throw new ValidationError('client', `${client.clientId} is a public client: public clients cannot use client_credentials`);
    if (!client.grantTypes.includes('client_credentials'))
      throw new ValidationError('client', `${client.clientId} may not use client_credentials (its grants: ${client.grantTypes.join(' ') || 'none'})`);
    await options.caller?.requireMayActFor({ client });
    // The client_credentials grant's own checks (grants/client-credentials.ts).
    api = await resolveApi(engine.catalog, client, new Params(request.api !== undefined ? [['resource', request.api]] : []));
    const allowed = client.permissions[api.identifier];
    if (!allowed) throw new ValidationError('api', `client ${client.clientId} is not allowed to access ${api.identifier}`);
    scopes = withinCaller(options.caller, api, grantedScopes(api, allowed, wanted?.join(' ')), wanted !== undefined);
    subject = client.clientId;
    clientId = client.clientId;
    label = `client ${client.clientId} (client_credentials)`;
  } else {
    const found = await engine.catalog.api(request.api!);
    if (!found) throw new ValidationError('api', `no API ${request.api}`);
    api = found;
    const unknown = (wanted ?? []).filter((s) => !api.scopes.some((d) => d.name === s));
    if (unknown.length > 0) throw new ValidationError('scope', `${api.identifier} has no scope ${unknown.join(' ')}`);
    scopes = withinCaller(options.caller, api, wanted ?? api.scopes.map((s) => s.name), wanted !== undefined);
    subject = request.subject ?? `${options.defaultClientId}-test`;
    if (options.caller) await checkTestSubject(engine, subject);
    if (subject === clientId)
      throw new ValidationError('subject', `${subject} is the client id of test tokens: a token whose subject is its client stands for that client`);
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
    details: { grantType: options.auditAs },
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
    how: `minted a ${issued.format === 'jwt' ? 'JWT' : 'reference'} access token for ${label} on ${api.identifier}, issued in-process ${options.origin}`,
  };
}
