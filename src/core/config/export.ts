/**
 * Writes the store's configuration back in the declarative format. Secrets appear
 * only as hashes (`secretHashes`, `passwordHash`) or encrypted (`clientSecretEncrypted`); applying the result to the same
 * installation (same master key) reproduces it.
 */
import type { Store } from '../ports/storage.js';

export async function exportConfig(store: Store): Promise<Record<string, unknown>> {
  const [apis, clients, users, roles, accounts, providers] = await Promise.all([
    store.listApis(),
    store.listClients(),
    store.listUsers(),
    store.listRoles(),
    store.listServiceAccounts(),
    store.listIdentityProviders(),
  ]);
  return {
    apis,
    roles,
    // Clients that registered themselves (RFC 7591) are data, like tokens, not configuration: left out.
    clients: clients
      .filter((c) => c.registration === undefined)
      .map(({ secrets, createdAt: _created, ...client }) => ({
        ...client,
        ...(secrets.length > 0 ? { secretHashes: secrets.map((s) => s.hash) } : {}),
      })),
    users: users.map(({ id: _id, notBefore: _n, ...user }) => user),
    serviceAccounts: accounts.map(({ id: _id, createdAt: _c, ...account }) => account),
    // Client secrets of upstream providers stay encrypted (under this installation's master key).
    identityProviders: providers,
  };
}
