/**
 * The narrow storage interfaces the engine depends on. Each part of the engine
 * names only the ones it uses; a backend (src/stores/*) implements all of them and
 * proves it with the shared contract suite (src/stores/contract).
 */
import type {
  Api,
  Client,
  Consent,
  FederatedIdentity,
  IdentityProvider,
  Role,
  ServiceAccount,
  SigningKey,
  StoredToken,
  StoredTokenKind,
  PasskeyFactor,
  User,
  UserFactor,
  UserSession,
} from '../model.js';
import type { AuditRepository } from './audit.js';
import type { OutboxRepository } from './outbox.js';
import type { DeviceAuthorizationRepository } from './device-authorizations.js';

export type { AuditRepository } from './audit.js';
export type { OutboxRepository } from './outbox.js';
export type { DeviceAuthorizationRepository } from './device-authorizations.js';

export interface ApiRepository {
  getApi(identifier: string): Promise<Api | undefined>;
  listApis(): Promise<Api[]>;
  upsertApi(api: Api): Promise<void>;
  deleteApi(identifier: string): Promise<boolean>;
}

export interface ClientRepository {
  getClient(clientId: string): Promise<Client | undefined>;
  listClients(): Promise<Client[]>;
  upsertClient(client: Client): Promise<void>;
  deleteClient(clientId: string): Promise<boolean>;
}

export interface UserRepository {
  getUser(id: string): Promise<User | undefined>;
  getUserByUsername(username: string): Promise<User | undefined>;
  /** Users whose email address is `email`, compared without regard to case. */
  findUsersByEmail(email: string): Promise<User[]>;
  listUsers(): Promise<User[]>;
  /** Inserts or updates by username; returns the stored user (with its id). */
  upsertUser(user: User): Promise<User>;
  /** Deletes the user and their linked upstream identities. */
  deleteUser(id: string): Promise<boolean>;
  /** Users whose email is this one, compared case-insensitively. */
  listUsersByEmail(email: string): Promise<User[]>;
}

export interface RoleRepository {
  getRole(name: string): Promise<Role | undefined>;
  listRoles(): Promise<Role[]>;
  upsertRole(role: Role): Promise<void>;
  deleteRole(name: string): Promise<boolean>;
}

export interface KeyRepository {
  listKeys(): Promise<SigningKey[]>;
  insertKey(key: SigningKey): Promise<void>;
  /** Applies status changes in one transaction so no reader sees two current keys of one alg. */
  updateKeys(changes: { kid: string; status: SigningKey['status']; removeAfter?: number }[]): Promise<void>;
  deleteKey(kid: string): Promise<void>;
}

export interface TokenRepository {
  insertToken(token: StoredToken): Promise<void>;
  /** Inserts unless a token with this hash exists; true for exactly one caller, however many race. */
  insertTokenOnce(token: StoredToken): Promise<boolean>;
  findTokenByHash(hash: string): Promise<StoredToken | undefined>;
  /** Marks the token revoked; true if it existed and was not already revoked. */
  revokeToken(hash: string, at: number): Promise<boolean>;
  /** Deletes tokens expired before `before`; returns how many. */
  deleteExpiredTokens(before: number): Promise<number>;
  /** Marks a single-use token used; true only for the one caller that used it first. */
  consumeToken(hash: string, at: number): Promise<boolean>;
  setSuccessor(hash: string, successorHash: string): Promise<void>;
  /** Revokes every live token of one grant; returns how many. */
  revokeGrant(grantId: string, at: number): Promise<number>;
  /** Revokes every live token of a subject, or only those of one client; returns how many. */
  revokeSubjectTokens(subject: string, clientId: string | undefined, at: number): Promise<number>;
  /** Revokes every live token issued to one client, whoever its subject (the client is being deleted); returns how many. */
  revokeClientTokens(clientId: string, at: number): Promise<number>;
  /** The tokens of a subject, of the given kinds, newest first (revoked ones included). */
  listSubjectTokens(subject: string, kinds: readonly StoredTokenKind[]): Promise<StoredToken[]>;
  findTokenById(jti: string): Promise<StoredToken | undefined>;
  /** Records last-use times in one batch. */
  touchTokens(uses: { hash: string; at: number }[]): Promise<void>;
}

export interface ServiceAccountRepository {
  getServiceAccount(id: string): Promise<ServiceAccount | undefined>;
  getServiceAccountByName(name: string): Promise<ServiceAccount | undefined>;
  listServiceAccounts(): Promise<ServiceAccount[]>;
  /** Inserts or updates by name; returns the stored account (with its id). */
  upsertServiceAccount(account: ServiceAccount): Promise<ServiceAccount>;
  deleteServiceAccount(id: string): Promise<boolean>;
}

export interface ConsentRepository {
  getConsent(userId: string, clientId: string): Promise<Consent | undefined>;
  upsertConsent(consent: Consent): Promise<void>;
  deleteConsent(userId: string, clientId: string): Promise<boolean>;
  listConsents(userId: string): Promise<Consent[]>;
  /** Deletes every user's consent for one client (the client is being deleted); returns how many. */
  deleteClientConsents(clientId: string): Promise<number>;
}

/**
 * Short-lived records keyed by (kind, id): sign-in sessions, pending authorization
 * requests, authorization codes. Expired records read as absent.
 */
export interface EphemeralRepository {
  putRecord(kind: string, id: string, doc: unknown, expiresAt: number): Promise<void>;
  getRecord<T>(kind: string, id: string, now: number): Promise<T | undefined>;
  deleteRecord(kind: string, id: string): Promise<void>;
  /**
   * Marks a record used. `firstUse` is true for exactly one caller, however many race;
   * later callers still get the record (to react to a replay). Absent when expired or unknown.
   */
  consumeRecord<T>(kind: string, id: string, now: number): Promise<{ doc: T; firstUse: boolean } | undefined>;
  deleteExpiredRecords(now: number): Promise<number>;
}

/** Sign-in sessions, indexed by user so they can be listed and ended one by one. Expired ones read as absent. */
export interface SessionRepository {
  insertSession(session: UserSession): Promise<void>;
  findSessionByHash(hash: string, now: number): Promise<UserSession | undefined>;
  /** Records activity (moves lastSeenAt forward only). */
  touchSession(hash: string, at: number): Promise<void>;
  /** A user's live sessions, newest first. */
  listUserSessions(userId: string, now: number): Promise<UserSession[]>;
  /** Ends one session of a user by its id; true if it existed. */
  deleteUserSession(userId: string, id: string): Promise<boolean>;
  deleteSessionByHash(hash: string): Promise<void>;
  /** Ends every session of a user, except `keepId` if given; returns how many. */
  deleteUserSessions(userId: string, keepId?: string): Promise<number>;
  deleteExpiredSessions(now: number): Promise<number>;
}

/** Revocation list for self-contained (JWT) access tokens, keyed by jti until they expire. */
export interface RevocationRepository {
  revokeJti(jti: string, expiresAt: number): Promise<void>;
  isJtiRevoked(jti: string): Promise<boolean>;
  /** Forgets revocations of JWTs that expired before `now` (they fail on exp alone); returns how many. */
  deleteExpiredRevocations(now: number): Promise<number>;
}

/** One-time-use markers (client assertion jti, later codes): the first caller wins, atomically. */
export interface ReplayRepository {
  /** Records `key` until `expiresAt`; false when it was already recorded and not yet expired. */
  useOnce(key: string, expiresAt: number, now: number): Promise<boolean>;
  /** Deletes markers expired before `now`; returns how many. */
  deleteExpiredMarkers(now: number): Promise<number>;
}

export interface IdentityProviderRepository {
  getIdentityProvider(id: string): Promise<IdentityProvider | undefined>;
  listIdentityProviders(): Promise<IdentityProvider[]>;
  upsertIdentityProvider(provider: IdentityProvider): Promise<void>;
  /** Deletes the provider and every identity linked through it. */
  deleteIdentityProvider(id: string): Promise<boolean>;
}

/** Users' identities at upstream providers, keyed by (provider, upstream subject). */
export interface FederatedIdentityRepository {
  findFederatedIdentity(providerId: string, subject: string): Promise<FederatedIdentity | undefined>;
  /** Links an identity; false when that (provider, subject) is already linked (to anyone). */
  insertFederatedIdentity(identity: FederatedIdentity): Promise<boolean>;
  /** Records a sign-in and what the upstream said this time. */
  updateFederatedIdentity(identity: FederatedIdentity): Promise<void>;
  listUserIdentities(userId: string): Promise<FederatedIdentity[]>;
  /** Unlinks one identity of one user; true if it was linked to them. */
  deleteFederatedIdentity(userId: string, providerId: string, subject: string): Promise<boolean>;
}

/** Users' second factors and recovery codes (mfa/). Uses are single, atomically: for one caller, however many race. */
export interface FactorRepository {
  /** A user's factors, oldest first. */
  listUserFactors(userId: string): Promise<UserFactor[]>;
  insertUserFactor(factor: UserFactor): Promise<void>;
  /** Removes one factor of one user; true if it was theirs. */
  deleteUserFactor(userId: string, id: string): Promise<boolean>;
  /** Removes every factor and recovery code of a user; returns how many factors. */
  deleteUserFactors(userId: string): Promise<number>;
  /** Records that a TOTP step was used: true only when `step` is later than the factor's last one. */
  useTotpStep(userId: string, id: string, step: number, at: number): Promise<boolean>;
  /** The passkey with this credential ID, whoever's it is. */
  findPasskey(credentialId: string): Promise<PasskeyFactor | undefined>;
  /**
   * Records a passkey's signature: true only when `signCount` is higher than the one
   * stored, or both are 0 (an authenticator that counts nothing). False means a
   * counter that went back or stood still: a possible clone, or a race lost.
   */
  usePasskey(userId: string, id: string, signCount: number, at: number): Promise<boolean>;
  /** Replaces a user's recovery codes (keyed hashes) with these, all unused. */
  replaceRecoveryCodes(userId: string, hashes: string[], at: number): Promise<void>;
  /** Marks an unused recovery code used: true for exactly one caller. */
  useRecoveryCode(userId: string, hash: string, at: number): Promise<boolean>;
  /** How many recovery codes a user has, and how many are still unused. */
  countRecoveryCodes(userId: string): Promise<{ total: number; remaining: number }>;
}

/** The documents the management API replaces and deletes under If-Match, by kind. */
export interface GuardedDocuments {
  api: Api;
  client: Client;
  role: Role;
  user: User;
  serviceAccount: ServiceAccount;
  identityProvider: IdentityProvider;
}

/**
 * Compare-and-set on stored documents (the management API's If-Match): a write that
 * happens only if the stored item is still the one read (`expected`), checked by the
 * statement that writes, so of two writers that read the same version exactly one
 * wins. The other gets StaleWriteError (core/errors.ts), and nothing is written.
 */
export interface GuardedWriteRepository {
  /** Replaces `expected` with `next` (the same key; a user may be renamed). */
  replaceIf<K extends keyof GuardedDocuments>(kind: K, expected: GuardedDocuments[K], next: GuardedDocuments[K]): Promise<void>;
  /** Deletes `expected`, and what its plain delete removes with it. */
  deleteIf<K extends keyof GuardedDocuments>(kind: K, expected: GuardedDocuments[K]): Promise<void>;
}

export interface Store
  extends ApiRepository,
    ClientRepository,
    UserRepository,
    RoleRepository,
    KeyRepository,
    TokenRepository,
    RevocationRepository,
    ReplayRepository,
    ConsentRepository,
    EphemeralRepository,
    SessionRepository,
    ServiceAccountRepository,
    IdentityProviderRepository,
    FederatedIdentityRepository,
    FactorRepository,
    GuardedWriteRepository,
    AuditRepository {
  readonly kind: 'sqlite' | 'postgres';
  /** Mail waiting to be sent (ports/outbox.ts). */
  readonly outbox: OutboxRepository;
  /**
   * Back-channel logout deliveries waiting to be sent, in the outbox's shape (kind
   * `logout_token`, the recipient the client id, the payload sealed), so that a delivery
   * survives a restart and any instance may send it (core/logout/backchannel-logout.ts).
   */
  readonly logoutOutbox: OutboxRepository;
  /** Device authorization requests waiting for their user (ports/device-authorizations.ts). */
  readonly deviceAuthorizations: DeviceAuthorizationRepository;
  /** Runs pending migrations; returns the versions applied. */
  migrate(): Promise<number[]>;
  /** Latest migration version known to the code, and the one the database is at. */
  schemaVersion(): Promise<{ code: number; database: number }>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
