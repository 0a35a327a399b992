/**
 * Resolves the subject of a token to what claim mappings read (tokens/claim-mapping.ts):
 * a user, or a service account; clients acting for themselves and sandbox subjects
 * have nothing to map. Nothing is read when the API or client maps no claims.
 */
import { permissionsOf } from '../credentials/permissions.js';
import type { Api, Client, User } from '../model.js';
import type { RoleRepository, ServiceAccountRepository, UserRepository } from '../ports/storage.js';
import { mapClaims, usesPermissions, type ClaimSource } from './claim-mapping.js';

type Repos = Pick<UserRepository, 'getUser'> & Pick<ServiceAccountRepository, 'getServiceAccount'> & Pick<RoleRepository, 'getRole'>;

function userSource(user: User): ClaimSource {
  const source: ClaimSource = { id: user.id, username: user.username, roles: user.roles };
  if (user.name !== undefined) source.name = user.name;
  if (user.email !== undefined) source.email = user.email;
  if (user.emailVerified !== undefined) source.emailVerified = user.emailVerified;
  if (user.attributes !== undefined) source.attributes = user.attributes;
  return source;
}

export class ClaimMapper {
  readonly #repos: Repos;

  constructor(repos: Repos) {
    this.#repos = repos;
  }

  /** The API's mapped claims for an access token's subject. */
  async forAccessToken(api: Api, subject: string): Promise<Record<string, unknown>> {
    if (!api.claims || Object.keys(api.claims).length === 0) return {};
    const user = await this.#repos.getUser(subject);
    let source: ClaimSource | undefined = user ? userSource(user) : undefined;
    if (!source) {
      const account = await this.#repos.getServiceAccount(subject);
      if (account) source = { id: account.id, username: account.name, roles: account.roles };
    }
    if (!source) return {};
    if (usesPermissions(api.claims)) source.permissions = (await permissionsOf(this.#repos, source.roles))[api.identifier] ?? [];
    return mapClaims(api.claims, source);
  }

  /** The client's mapped claims for its ID tokens and userinfo. */
  async forClient(client: Pick<Client, 'claims'> | undefined, user: User): Promise<Record<string, unknown>> {
    if (!client?.claims || Object.keys(client.claims).length === 0) return {};
    const source = userSource(user);
    if (usesPermissions(client.claims)) source.permissions = await permissionsOf(this.#repos, source.roles);
    return mapClaims(client.claims, source);
  }
}
