/**
 * What a user can let an app do: never more than the user may do. OpenID Connect
 * scopes (openid, profile, email, offline_access) are about the user, not an API, and
 * always pass; of an API's scopes, only those the user's roles allow now. The one rule
 * for every way a user's access reaches an app: consent, the authorization code and
 * implicit responses, refresh, sandbox sign-in, first-party apps alike (as PATs are
 * held to the user's roles in credential-service.ts).
 */
import { OIDC_SCOPES } from '../authorize/authorization-request.js';
import type { Api, User } from '../model.js';
import type { RoleRepository } from '../ports/storage.js';
import { allowedScopes } from './permissions.js';

const isOidcScope = (scope: string) => (OIDC_SCOPES as readonly string[]).includes(scope);

/** `scopes` narrowed to what `user` may delegate on `api` (none of an API's when there is no API). */
export async function delegableByUser(
  roles: Pick<RoleRepository, 'getRole'>,
  user: User,
  api: Api | string | undefined,
  scopes: readonly string[],
): Promise<string[]> {
  const allowed = api === undefined ? [] : await allowedScopes(roles, user.roles, api);
  return scopes.filter((s) => isOidcScope(s) || allowed.includes(s));
}
