/**
 * Who calls the management API, and with which scopes. Tokens must be Tessera's own,
 * for the management audience: an access token (client credentials, or a user's via
 * sign-in), a PAT or a SAT. A token acting for a user or service account carries at
 * most what that owner's roles allow now: a role taken away takes effect at once.
 * A client's own token (client credentials: `sub` is the client) carries at most the
 * client's permissions now, and only if the client still exists. The principal also
 * says what the caller holds on every API, for least-privilege.ts.
 */
import type { AuditActor } from '../core/audit/audit-event.js';
import type { AuthorizationServer } from '../core/authorization-server.js';
import { permissionsOf, type Permissions } from '../core/credentials/permissions.js';
import type { Holdings } from './least-privilege.js';
import { ADMIN_ROLE, managementAudience } from './management-api.js';
import { ManagementProblem } from './problem.js';

export interface Principal {
  kind: 'user' | 'service_account' | 'client';
  id: string;
  /** Username, service-account name or client id, for audit records. */
  name: string;
  clientId?: string;
  scopes: ReadonlySet<string>;
  /** What it may grant, assign, mint or delegate (least-privilege.ts). */
  holdings: Holdings;
  /** How the audit log names this caller, when not by kind and id (the CLI's local operator). */
  actor?: AuditActor;
}

const challenge = (error?: string, description?: string, scope?: string) =>
  ['Bearer realm="tessera"', error && `error="${error}"`, description && `error_description="${description}"`, scope && `scope="${scope}"`]
    .filter(Boolean)
    .join(', ');

/** The principal as the audit log names it. */
export function actorOf(principal: Principal): AuditActor {
  if (principal.actor) return principal.actor;
  return { type: principal.kind, id: principal.kind === 'client' ? principal.id : `${principal.id} (${principal.name})` };
}

export const unauthenticated = (description: string) =>
  new ManagementProblem(401, 'invalid_token', description, [], { 'WWW-Authenticate': challenge('invalid_token', description) });

export function insufficientScope(scope: string): ManagementProblem {
  const description = `this call needs the ${scope} scope`;
  return new ManagementProblem(403, 'insufficient_scope', description, [], { 'WWW-Authenticate': challenge('insufficient_scope', description, scope) });
}

export async function authenticatePrincipal(engine: AuthorizationServer, authorization: string | undefined): Promise<Principal> {
  if (authorization === undefined) {
    throw new ManagementProblem(401, 'invalid_token', 'an access token is required', [], { 'WWW-Authenticate': challenge() });
  }
  const match = /^Bearer +([\x21-\x7e]{1,4096})$/i.exec(authorization);
  if (!match) throw unauthenticated('malformed Authorization header: use Bearer <token>');
  const token = await engine.inspectToken(match[1]!);
  if (!token || !['access_token', 'personal_access_token', 'service_access_token'].includes(token.kind)) {
    throw unauthenticated('the token is invalid, expired or revoked');
  }
  const audience = managementAudience(engine.issuer);
  if (token.audience !== audience) throw unauthenticated(`the token is for ${token.audience || 'no API'}, not ${audience}`);
  const granted = token.scope.split(' ').filter(Boolean);
  /** The principal, its management scopes being the token's within `permissions` now. */
  const holding = (kind: Principal['kind'], id: string, name: string, permissions: Permissions, administrator: boolean): Principal => {
    const scopes = granted.filter((s) => (permissions[audience] ?? []).includes(s));
    return { kind, id, name, scopes: new Set(scopes), holdings: { permissions: { ...(administrator ? {} : permissions), [audience]: scopes }, everyOtherApi: administrator } };
  };

  if (token.kind === 'service_access_token') {
    const account = await engine.store.getServiceAccount(token.subject);
    if (!account) throw unauthenticated('the service account no longer exists');
    return holding('service_account', account.id, account.name, await permissionsOf(engine.store, account.roles), account.roles.includes(ADMIN_ROLE));
  }
  if (token.kind === 'access_token' && token.subject === token.clientId) {
    // Client credentials: what the client may do now, not what it once was given.
    const client = await engine.store.getClient(token.clientId);
    if (!client) throw unauthenticated('the client of this token no longer exists');
    return { ...holding('client', client.clientId, client.clientId, client.permissions, false), clientId: client.clientId };
  }
  const user = await engine.store.getUser(token.subject);
  if (!user) throw unauthenticated('the token acts for no known user, service account or client');
  if (!user.active) throw unauthenticated('the user is inactive');
  const principal = holding('user', user.id, user.username, await permissionsOf(engine.store, user.roles), user.roles.includes(ADMIN_ROLE));
  if (token.clientId) principal.clientId = token.clientId;
  return principal;
}
