/**
 * The repositories of the document entities (./document-tables.ts), written once for
 * both SQL stores: each store extends this class and says only in which dialect, and
 * how its driver runs a statement (the three `run*` methods). What the engine queries column by column
 * (tokens, sessions, keys, factors, the audit chain) stays in each store, in its
 * dialect's own SQL.
 */
import type { Api, Client, Consent, FederatedIdentity, IdentityProvider, Role, ServiceAccount, User } from '../core/model.js';
import type {
  ApiRepository,
  ClientRepository,
  ConsentRepository,
  FederatedIdentityRepository,
  GuardedDocuments,
  GuardedWriteRepository,
  IdentityProviderRepository,
  RoleRepository,
  ServiceAccountRepository,
  UserRepository,
} from '../core/ports/storage.js';
import { StaleWriteError } from '../core/errors.js';
import { DocumentCollection, type DocumentRunner, type SqlDialect } from './document-collection.js';
import {
  API_TABLE,
  CLIENT_TABLE,
  CONSENT_TABLE,
  FEDERATED_IDENTITY_TABLE,
  IDENTITY_PROVIDER_TABLE,
  ROLE_TABLE,
  SERVICE_ACCOUNT_TABLE,
  USER_TABLE,
} from './document-tables.js';

export abstract class DocumentStore
  implements
    ApiRepository,
    ClientRepository,
    RoleRepository,
    UserRepository,
    ServiceAccountRepository,
    ConsentRepository,
    IdentityProviderRepository,
    FederatedIdentityRepository,
    GuardedWriteRepository
{
  readonly #apis: DocumentCollection<Api>;
  readonly #clients: DocumentCollection<Client>;
  readonly #roles: DocumentCollection<Role>;
  readonly #users: DocumentCollection<User>;
  readonly #serviceAccounts: DocumentCollection<ServiceAccount>;
  readonly #consents: DocumentCollection<Consent>;
  readonly #identityProviders: DocumentCollection<IdentityProvider>;
  readonly #federatedIdentities: DocumentCollection<FederatedIdentity>;

  protected constructor(dialect: SqlDialect) {
    const runner: DocumentRunner = {
      doc: (sql, params) => this.runDoc(sql, params),
      docs: (sql, params) => this.runDocs(sql, params),
      changes: (sql, params) => this.runChanges(sql, params),
      changesInTransaction: (statements) => this.runInTransaction(statements),
    };
    this.#apis = new DocumentCollection(API_TABLE, dialect, runner);
    this.#clients = new DocumentCollection(CLIENT_TABLE, dialect, runner);
    this.#roles = new DocumentCollection(ROLE_TABLE, dialect, runner);
    this.#users = new DocumentCollection(USER_TABLE, dialect, runner);
    this.#serviceAccounts = new DocumentCollection(SERVICE_ACCOUNT_TABLE, dialect, runner);
    this.#consents = new DocumentCollection(CONSENT_TABLE, dialect, runner);
    this.#identityProviders = new DocumentCollection(IDENTITY_PROVIDER_TABLE, dialect, runner);
    this.#federatedIdentities = new DocumentCollection(FEDERATED_IDENTITY_TABLE, dialect, runner);
  }

  /** The collections the management API writes under If-Match, by kind. */
  #guarded(): { [K in keyof GuardedDocuments]: DocumentCollection<GuardedDocuments[K]> } {
    return {
      api: this.#apis,
      client: this.#clients,
      role: this.#roles,
      user: this.#users,
      serviceAccount: this.#serviceAccounts,
      identityProvider: this.#identityProviders,
    };
  }

  // Compare-and-set (If-Match)
  async replaceIf<K extends keyof GuardedDocuments>(kind: K, expected: GuardedDocuments[K], next: GuardedDocuments[K]): Promise<void> {
    if (!(await (this.#guarded()[kind] as DocumentCollection<GuardedDocuments[K]>).replaceIf(expected, next))) throw new StaleWriteError();
  }
  async deleteIf<K extends keyof GuardedDocuments>(kind: K, expected: GuardedDocuments[K]): Promise<void> {
    if (!(await (this.#guarded()[kind] as DocumentCollection<GuardedDocuments[K]>).deleteIf(expected))) throw new StaleWriteError();
  }

  /** The store's driver runs the kit's statements (see `DocumentRunner`). */
  protected abstract runDoc(sql: string, params: unknown[]): Promise<string | undefined>;
  protected abstract runDocs(sql: string, params: unknown[]): Promise<string[]>;
  protected abstract runChanges(sql: string, params: unknown[]): Promise<number>;
  protected abstract runInTransaction(statements: readonly (readonly [sql: string, params: unknown[]])[]): Promise<number>;

  // APIs
  getApi(identifier: string): Promise<Api | undefined> {
    return this.#apis.get(identifier);
  }
  listApis(): Promise<Api[]> {
    return this.#apis.list();
  }
  async upsertApi(api: Api): Promise<void> {
    await this.#apis.upsert(api);
  }
  deleteApi(identifier: string): Promise<boolean> {
    return this.#apis.delete(identifier);
  }

  // Clients
  getClient(clientId: string): Promise<Client | undefined> {
    return this.#clients.get(clientId);
  }
  listClients(): Promise<Client[]> {
    return this.#clients.list();
  }
  async upsertClient(client: Client): Promise<void> {
    await this.#clients.upsert(client);
  }
  deleteClient(clientId: string): Promise<boolean> {
    return this.#clients.delete(clientId);
  }

  // Roles
  getRole(name: string): Promise<Role | undefined> {
    return this.#roles.get(name);
  }
  listRoles(): Promise<Role[]> {
    return this.#roles.list();
  }
  async upsertRole(role: Role): Promise<void> {
    await this.#roles.upsert(role);
  }
  deleteRole(name: string): Promise<boolean> {
    return this.#roles.delete(name);
  }

  // Users (deleted with their linked identities, second factors and recovery codes)
  getUser(id: string): Promise<User | undefined> {
    return this.#users.get(id);
  }
  getUserByUsername(username: string): Promise<User | undefined> {
    return this.#users.find('username', username);
  }
  findUsersByEmail(email: string): Promise<User[]> {
    return this.#users.listBy('email', email.toLowerCase());
  }
  listUsersByEmail(email: string): Promise<User[]> {
    return this.findUsersByEmail(email);
  }
  listUsers(): Promise<User[]> {
    return this.#users.list();
  }
  upsertUser(user: User): Promise<User> {
    return this.#users.upsert(user);
  }
  deleteUser(id: string): Promise<boolean> {
    return this.#users.delete(id);
  }

  // Service accounts
  getServiceAccount(id: string): Promise<ServiceAccount | undefined> {
    return this.#serviceAccounts.get(id);
  }
  getServiceAccountByName(name: string): Promise<ServiceAccount | undefined> {
    return this.#serviceAccounts.find('name', name);
  }
  listServiceAccounts(): Promise<ServiceAccount[]> {
    return this.#serviceAccounts.list();
  }
  upsertServiceAccount(account: ServiceAccount): Promise<ServiceAccount> {
    return this.#serviceAccounts.upsert(account);
  }
  deleteServiceAccount(id: string): Promise<boolean> {
    return this.#serviceAccounts.delete(id);
  }

  // Consents
  getConsent(userId: string, clientId: string): Promise<Consent | undefined> {
    return this.#consents.get(userId, clientId);
  }
  async upsertConsent(consent: Consent): Promise<void> {
    await this.#consents.upsert(consent);
  }
  deleteConsent(userId: string, clientId: string): Promise<boolean> {
    return this.#consents.delete(userId, clientId);
  }
  deleteClientConsents(clientId: string): Promise<number> {
    return this.#consents.deleteBy('client_id', clientId);
  }
  listConsents(userId: string): Promise<Consent[]> {
    return this.#consents.listBy('user_id', userId);
  }

  // Upstream identity providers (deleted with the identities linked through them)
  getIdentityProvider(id: string): Promise<IdentityProvider | undefined> {
    return this.#identityProviders.get(id);
  }
  listIdentityProviders(): Promise<IdentityProvider[]> {
    return this.#identityProviders.list();
  }
  async upsertIdentityProvider(provider: IdentityProvider): Promise<void> {
    await this.#identityProviders.upsert(provider);
  }
  deleteIdentityProvider(id: string): Promise<boolean> {
    return this.#identityProviders.delete(id);
  }

  // Linked identities
  findFederatedIdentity(providerId: string, subject: string): Promise<FederatedIdentity | undefined> {
    return this.#federatedIdentities.get(providerId, subject);
  }
  insertFederatedIdentity(identity: FederatedIdentity): Promise<boolean> {
    return this.#federatedIdentities.insertOnce(identity);
  }
  async updateFederatedIdentity(identity: FederatedIdentity): Promise<void> {
    await this.#federatedIdentities.update(identity);
  }
  listUserIdentities(userId: string): Promise<FederatedIdentity[]> {
    return this.#federatedIdentities.listBy('user_id', userId);
  }
  deleteFederatedIdentity(userId: string, providerId: string, subject: string): Promise<boolean> {
    return this.#federatedIdentities.delete(providerId, subject, userId);
  }
}
