/**
 * Upserts a validated configuration into the store, idempotently: applying the same
 * file twice changes nothing. Clear secrets and passwords are hashed here and never
 * stored; a client listed without secrets keeps the ones it has.
 */
import { randomUUID } from 'node:crypto';
import { changeDiff, type ChangeDiff } from '../audit/change-diff.js';
import { withCreatedAt } from '../catalog-writer.js';
import type { Clock } from '../clock.js';
import { hashPassword, isPasswordHash, verifyPassword } from '../crypto/password.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import { ConfigError } from '../errors.js';
import type { Api, Client, ClientAuthMethod, Role, ServiceAccount, SigningAlg, User } from '../model.js';
import type { Store } from '../ports/storage.js';
import type { ProviderSecrets } from '../federation/provider-secret.js';
import { toIdentityProvider } from '../federation/to-identity-provider.js';
import type { ApiInput, ClientInput, ConfigFile, RoleInput, UserInput } from './schema.js';

export interface ApplySummary {
  apis: number;
  clients: number;
  users: number;
  roles: number;
  serviceAccounts: number;
  identityProviders: number;
  /** What actually changed (for the audit log); empty when the file was already applied. */
  changes: ConfigChange[];
}

export interface ConfigChange {
  kind: 'api' | 'role' | 'client' | 'user' | 'service_account' | 'identity_provider';
  id: string;
  action: 'created' | 'updated';
  /** Changed fields only, without secrets (audit/change-diff.ts). */
  diff: ChangeDiff;
}

export function toApi(input: ApiInput): Api {
  const { claims, requireDpop, ...rest } = input;
  return {
    ...rest,
    alg: input.alg as SigningAlg,
    ...(claims && Object.keys(claims).length > 0 ? { claims } : {}),
    ...(requireDpop ? { requireDpop: true } : {}),
  };
}

function authMethodFor(input: ClientInput): ClientAuthMethod {
  if (input.tokenEndpointAuthMethod) return input.tokenEndpointAuthMethod as ClientAuthMethod;
  if (input.type === 'public') return 'none';
  return input.jwks || input.jwksUri ? 'private_key_jwt' : 'client_secret_basic';
}

export function toClient(input: ClientInput, existing: Client | undefined, hasher: SecretHasher, now: number, where: string): Client {
  const hashes = [...input.secrets.map((s) => hasher.hash(s)), ...input.secretHashes];
  const previous = new Map((existing?.secrets ?? []).map((s) => [s.hash, s]));
  const secrets = hashes.length > 0 ? [...new Set(hashes)].map((hash) => previous.get(hash) ?? { hash, createdAt: now }) : (existing?.secrets ?? []);
  const method = authMethodFor(input);
  if ((method === 'client_secret_basic' || method === 'client_secret_post') && secrets.length === 0) {
    throw new ConfigError(`${where}.secrets: client ${input.clientId} uses ${method} and needs at least one secret`);
  }
  const permissions: Record<string, string[]> = { ...input.permissions };
  if (input.api) permissions[input.api] = [...new Set([...(permissions[input.api] ?? []), ...input.scopes])];
  const client: Client = {
    clientId: input.clientId,
    name: input.name ?? input.clientId,
    type: input.type,
    tokenEndpointAuthMethod: method,
    secrets: method === 'none' || method === 'private_key_jwt' ? [] : secrets,
    redirectUris: input.redirectUris,
    grantTypes: input.grantTypes,
    permissions,
    introspection: input.introspection,
  };
  if (input.postLogoutRedirectUris.length > 0) client.postLogoutRedirectUris = input.postLogoutRedirectUris;
  if (input.firstParty) client.firstParty = true;
  if (input.allowImplicit) client.allowImplicit = true;
  if (input.requirePkce) client.requirePkce = true;
  if (input.requireDpop) client.requireDpop = true;
  if (input.requirePushedAuthorizationRequests) client.requirePushedAuthorizationRequests = true;
  if (input.requireMfa) client.requireMfa = true;
  if (input.backchannelLogoutUri) client.backchannelLogoutUri = input.backchannelLogoutUri;
  if (input.backchannelLogoutSessionRequired) client.backchannelLogoutSessionRequired = true;
  if (input.sandbox) client.sandbox = true;
  if (input.idTokenSignedResponseAlg) client.idTokenSignedResponseAlg = input.idTokenSignedResponseAlg;
  if (input.api) client.api = input.api;
  if (input.jwks) client.jwks = input.jwks;
  if (input.jwksUri) client.jwksUri = input.jwksUri;
  if (input.claims && Object.keys(input.claims).length > 0) client.claims = input.claims;
  if (input.identityProviders) client.identityProviders = input.identityProviders;
  return client;
}

export async function toUser(input: UserInput, existing: User | undefined, where: string): Promise<User> {
  let passwordHash = existing?.passwordHash;
  if (input.passwordHash !== undefined) {
    if (!isPasswordHash(input.passwordHash)) throw new ConfigError(`${where}.passwordHash: not a Tessera scrypt hash`);
    passwordHash = input.passwordHash;
  } else if (input.password !== undefined) {
    const unchanged = passwordHash !== undefined && (await verifyPassword(input.password, passwordHash));
    if (!unchanged) passwordHash = await hashPassword(input.password);
  }
  const user: User = {
    id: existing?.id ?? randomUUID(),
    username: input.username,
    active: input.active,
    roles: input.roles,
  };
  if (input.name !== undefined) user.name = input.name;
  if (input.email !== undefined) user.email = input.email;
  if (input.emailVerified !== undefined) user.emailVerified = input.emailVerified;
  if (passwordHash !== undefined) user.passwordHash = passwordHash;
  if (existing?.notBefore !== undefined) user.notBefore = existing.notBefore;
  // Attributes left out keep what they were (an upstream provider may maintain them).
  const attributes = input.attributes ?? existing?.attributes;
  if (attributes !== undefined) user.attributes = attributes;
  return user;
}

export function toRole(input: RoleInput): Role {
  const role: Role = { name: input.name, permissions: input.permissions };
  if (input.description !== undefined) role.description = input.description;
  return role;
}

export async function applyConfig(store: Store, config: ConfigFile, hasher: SecretHasher, clock: Clock, secrets: ProviderSecrets): Promise<ApplySummary> {
  const now = clock.now();
  const changes: ConfigChange[] = [];
  const note = (kind: ConfigChange['kind'], id: string, before: object | undefined, after: object) => {
    const diff = changeDiff(before, after);
    if (Object.keys(diff).length > 0) changes.push({ kind, id, action: before ? 'updated' : 'created', diff });
  };
  for (const input of config.apis) {
    const api = toApi(input);
    note('api', api.identifier, await store.getApi(api.identifier), api);
    await store.upsertApi(api);
  }
  for (const input of config.roles) {
    const role = toRole(input);
    note('role', role.name, await store.getRole(role.name), role);
    await store.upsertRole(role);
  }
  for (const [i, input] of config.identityProviders.entries()) {
    const existing = await store.getIdentityProvider(input.id);
    const provider = toIdentityProvider(input, existing, secrets, `identityProviders[${i}]`);
    note('identity_provider', provider.id, existing, provider);
    await store.upsertIdentityProvider(provider);
  }
  for (const [i, input] of config.clients.entries()) {
    const existing = await store.getClient(input.clientId);
    const client = withCreatedAt(toClient(input, existing, hasher, now, `clients[${i}]`), existing, now);
    note('client', client.clientId, existing, client);
    await store.upsertClient(client);
  }
  for (const [i, input] of config.users.entries()) {
    const existing = await store.getUserByUsername(input.username);
    const stored = await store.upsertUser(await toUser(input, existing, `users[${i}]`));
    note('user', stored.username, existing, stored);
  }
  for (const input of config.serviceAccounts) {
    const account: ServiceAccount = { id: randomUUID(), name: input.name, roles: input.roles, active: input.active, createdAt: now };
    if (input.description !== undefined) account.description = input.description;
    const existing = await store.getServiceAccountByName(input.name);
    note('service_account', input.name, existing, await store.upsertServiceAccount(account));
  }
  return {
    apis: config.apis.length,
    clients: config.clients.length,
    users: config.users.length,
    roles: config.roles.length,
    serviceAccounts: config.serviceAccounts.length,
    identityProviders: config.identityProviders.length,
    changes,
  };
}
