/**
 * Who calls the management API, and with which scopes. Tokens must be Tessera's own,
 * for the management audience: an access token (client credentials, or a user's via
 * sign-in), a PAT or a SAT. A token acting for a user or service account carries at
 * most what that owner's roles allow now: a role taken away takes effect at once.
 */
import type { AuditActor } from '../core/audit/audit-event.js';
import type { AuthorizationServer } from '../core/authorization-server.js';
import { permissionsOf } from '../core/credentials/permissions.js';
import { managementAudience } from './management-api.js';
import { ManagementProblem } from './problem.js';

export interface Principal {
  kind: 'user' | 'service_account' | 'client';
  id: string;
  /** Username, service-account name or client id, for audit records. */
  name: string;
  clientId?: string;
  scopes: ReadonlySet<string>;
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

  if (token.kind === 'service_access_token') {
    const account = await engine.store.getServiceAccount(token.subject);
    if (!account) throw unauthenticated('the service account no longer exists');
    const allowed = (await permissionsOf(engine.store, account.roles))[audience] ?? [];
    return { kind: 'service_account', id: account.id, name: account.name, scopes: new Set(granted.filter((s) => allowed.includes(s))) };
  }
  const user = await engine.store.getUser(token.subject);
  if (user) {
    if (!user.active) throw unauthenticated('the user is inactive');
    const allowed = (await permissionsOf(engine.store, user.roles))[audience] ?? [];
    const principal: Principal = { kind: 'user', id: user.id, name: user.username, scopes: new Set(granted.filter((s) => allowed.includes(s))) };
    if (token.clientId) principal.clientId = token.clientId;
    return principal;
  }
  if (token.kind === 'access_token' && token.subject === token.clientId) {
    // Client credentials: the client's own permissions, already checked when the token was issued.
    return { kind: 'client', id: token.clientId, name: token.clientId, clientId: token.clientId, scopes: new Set(granted) };
  }
  throw unauthenticated('the token acts for no known user, service account or client');
}
