/**
 * Who calls the management API, and with which scopes. Tokens must be Tessera's own,
 * for the management audience: an access token (client credentials, or a user's via
 * sign-in), a PAT or a SAT. A token acting for a user or service account carries at
 * most what that owner's roles allow now: a role taken away takes effect at once.
 * A client's own token (client credentials: `sub` is the client) carries at most the
 * client's permissions now, and only if the client still exists. The principal also
 * says what the caller holds on every API, for least-privilege.ts.
 *
 * A token bound to a DPoP key (RFC 9449: an access token issued with a proof, or a PAT
 * or SAT created with `dpopJkt`) comes as `Authorization: DPoP <token>` with a proof of
 * that key for this request; sent as Bearer it is refused with a `DPoP` challenge (§7.1).
 */
import type { AuditActor } from '../core/audit/audit-event.js';
import type { AuthorizationServer } from '../core/authorization-server.js';
import { DPOP_ALGS } from '../core/dpop/proof.js';
import { OAuthError } from '../core/errors.js';
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

/** RFC 9449 §7.1: a refusal of a DPoP-bound token or its proof, with the algorithms proofs may use. */
function dpopRefusal(
  error: 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce',
  description: string,
  headers: Record<string, string> = {},
): ManagementProblem {
  const challenge = `DPoP algs="${DPOP_ALGS.join(' ')}", error="${error}", error_description="${description.replace(/["\\]/g, '')}"`;
  return new ManagementProblem(401, error, description, [], { ...headers, 'WWW-Authenticate': challenge });
}

/** What the principal needs of a request: the Authorization and DPoP headers, and, for the proof's htm/htu, the method and path. */
export interface PresentedRequest {
  method: string;
  /** The path below /api/v1. */
  path: string;
  headers: Record<string, string | undefined>;
}

/** The proof of a `DPoP <token>` request: of the token's key, for this method and URL, with `ath`. */
async function checkProof(engine: AuthorizationServer, request: PresentedRequest, token: string, jkt: string | undefined): Promise<void> {
  const endpointUrl = `${managementAudience(engine.issuer)}${request.path}`;
  let proof: Awaited<ReturnType<AuthorizationServer['dpop']['check']>>;
  try {
    proof = await engine.dpop.check({ method: request.method, headers: request.headers, endpointUrl }, engine.clock.now(), token);
  } catch (error) {
    if (error instanceof OAuthError)
      throw dpopRefusal(error.error === 'use_dpop_nonce' ? 'use_dpop_nonce' : 'invalid_dpop_proof', error.description, error.headers);
    throw error;
  }
  if (!proof) throw dpopRefusal('invalid_dpop_proof', 'the DPoP scheme needs a DPoP proof');
  if (jkt === undefined) throw dpopRefusal('invalid_token', 'the token is not DPoP-bound; send it as Bearer');
  if (proof.jkt !== jkt) throw dpopRefusal('invalid_token', 'the DPoP proof is not signed by the key the token is bound to');
}

export function insufficientScope(scope: string): ManagementProblem {
  const description = `this call needs the ${scope} scope`;
  return new ManagementProblem(403, 'insufficient_scope', description, [], { 'WWW-Authenticate': challenge('insufficient_scope', description, scope) });
}

export async function authenticatePrincipal(engine: AuthorizationServer, request: PresentedRequest): Promise<Principal> {
  const authorization = request.headers.authorization;
  if (authorization === undefined) {
    throw new ManagementProblem(401, 'invalid_token', 'an access token is required', [], { 'WWW-Authenticate': challenge() });
  }
  const match = /^(Bearer|DPoP) +([\x21-\x7e]{1,4096})$/i.exec(authorization);
  if (!match) throw unauthenticated('malformed Authorization header: use Bearer <token> (or DPoP <token> with a proof)');
  const dpop = match[1]!.toLowerCase() === 'dpop';
  const presented = match[2]!;
  const token = await engine.inspectToken(presented);
  if (!token || !['access_token', 'personal_access_token', 'service_access_token'].includes(token.kind)) {
    throw dpop ? dpopRefusal('invalid_token', 'the token is invalid, expired or revoked') : unauthenticated('the token is invalid, expired or revoked');
  }
  if (dpop) await checkProof(engine, request, presented, token.jkt);
  else if (token.jkt !== undefined) throw dpopRefusal('invalid_token', 'the token is DPoP-bound: send it as DPoP <token> with a proof of its key');
  const audience = managementAudience(engine.issuer);
  if (token.audience !== audience) throw unauthenticated(`the token is for ${token.audience || 'no API'}, not ${audience}`);
  const granted = token.scope.split(' ').filter(Boolean);
  /** The principal, its management scopes being the token's within `permissions` now. */
  const holding = (kind: Principal['kind'], id: string, name: string, permissions: Permissions, administrator: boolean): Principal => {
    const scopes = granted.filter((s) => (permissions[audience] ?? []).includes(s));
    return {
      kind,
      id,
      name,
      scopes: new Set(scopes),
      holdings: { permissions: { ...(administrator ? {} : permissions), [audience]: scopes }, everyOtherApi: administrator },
    };
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
