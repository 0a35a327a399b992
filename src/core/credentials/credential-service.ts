/**
 * The long-lived credentials of the seeds, created by hand and shown once:
 *   personal access tokens (PAT, `tsr_pat_`)  a user, scopes on one API within the user's permissions;
 *   service access tokens (SAT, `tsr_sat_`)   a service account, likewise;
 *   user tokens (`Token <40 hex>`)            all of a user's access, one per user, regenerable;
 *   action tokens (`ActionToken <40 hex>`)    a user's access limited to a list of endpoints.
 * Only keyed hashes are stored. Listing shows everything but the secret.
 */
import { randomUUID } from 'node:crypto';
import { parseEndpointPattern } from '@tessera/resource-server/shared';
import type { AuditActor } from '../audit/audit-event.js';
import type { AuditLog } from '../audit/audit-log.js';
import { changeDiff } from '../audit/change-diff.js';
import type { Catalog } from '../catalog.js';
import type { Clock } from '../clock.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import { mintHexKey, mintTokenString, TOKEN_PREFIXES } from '../crypto/token-string.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { MANUAL_TOKEN_KINDS, NEVER, type ServiceAccount, type StoredToken, type StoredTokenKind } from '../model.js';
import type { RoleRepository, ServiceAccountRepository, TokenRepository, UserRepository } from '../ports/storage.js';
import { allowedScopes } from './permissions.js';
import { summarize, type TokenSummary } from './token-summary.js';
import { timeOrderedId } from '../crypto/time-ordered-id.js';

/** The repositories personal and service credentials live in. */
export type CredentialStorage = TokenRepository & ServiceAccountRepository & Pick<UserRepository, 'getUser'> & Pick<RoleRepository, 'getRole'>;

export interface CredentialPolicy {
  /** Longest lifetime of a PAT or SAT, in seconds; also the default when none is asked for. */
  maxLifetime: number;
}

export const DEFAULT_CREDENTIAL_POLICY: CredentialPolicy = { maxLifetime: 365 * 86400 };

export interface CreatedCredential {
  /** The secret, shown this once. */
  token: string;
  summary: TokenSummary;
}

interface ScopedTokenInput {
  name: string;
  api: string;
  scopes: string[];
  /** Seconds; defaults to the policy's maximum. */
  expiresIn?: number;
  /**
   * RFC 9449: bind the token to a DPoP key, by its RFC 7638 SHA-256 thumbprint. It then
   * works only as `Authorization: DPoP <token>` with a proof from that key.
   */
  dpopJkt?: string;
}

/** A base64url-encoded SHA-256 JWK thumbprint (RFC 7638): 43 characters. */
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

export class CredentialService {
  readonly #store: CredentialStorage;
  readonly #hasher: SecretHasher;
  readonly #clock: Clock;
  readonly #catalog: Catalog;
  readonly #audit: AuditLog;
  readonly policy: CredentialPolicy;

  constructor(deps: { store: CredentialStorage; hasher: SecretHasher; clock: Clock; catalog: Catalog; policy: CredentialPolicy; audit: AuditLog }) {
    this.#store = deps.store;
    this.#hasher = deps.hasher;
    this.#clock = deps.clock;
    this.#catalog = deps.catalog;
    this.#audit = deps.audit;
    this.policy = deps.policy;
  }

  /** `actor`, for the audit log: who asked (an admin, the user themselves); absent means unknown. */
  async createPersonalAccessToken(userId: string, input: ScopedTokenInput, actor?: AuditActor): Promise<CreatedCredential> {
    const user = await this.#store.getUser(userId);
    if (!user) throw new NotFoundError(`no user ${userId}`);
    if (!user.active) throw new ValidationError('user', 'an inactive user cannot create tokens');
    await this.#checkScopes(user.roles, input);
    return this.#mint('personal_access_token', mintTokenString(TOKEN_PREFIXES.personal_access_token), user.id, input, actor);
  }

  async createServiceAccount(input: { name: string; description?: string; roles: string[] }, actor?: AuditActor): Promise<ServiceAccount> {
    if (!/^[\w.-]{1,100}$/.test(input.name)) throw new ValidationError('name', 'letters, digits, ".", "_" and "-", at most 100');
    for (const role of input.roles) {
      if (!(await this.#store.getRole(role))) throw new ValidationError('roles', `unknown role ${role}`);
    }
    const account: ServiceAccount = { id: randomUUID(), name: input.name, roles: input.roles, active: true, createdAt: this.#clock.now() };
    if (input.description !== undefined) account.description = input.description;
    const existing = await this.#store.getServiceAccountByName(input.name);
    const stored = await this.#store.upsertServiceAccount(account);
    this.#changed(actor, 'service_account', stored.id, existing ? 'updated' : 'created', changeDiff(existing, stored));
    return stored;
  }

  /** Deletes a service account; its SATs stop at once. */
  async deleteServiceAccount(id: string, actor?: AuditActor): Promise<{ tokens: number }> {
    const existing = await this.#store.getServiceAccount(id);
    if (!existing || !(await this.#store.deleteServiceAccount(id))) throw new NotFoundError(`no service account ${id}`);
    const tokens = await this.#store.revokeSubjectTokens(id, undefined, this.#clock.now());
    this.#changed(actor, 'service_account', id, 'deleted', changeDiff(existing, {}), { name: existing.name, revokedTokens: tokens });
    return { tokens };
  }

  async createServiceAccessToken(serviceAccountId: string, input: ScopedTokenInput, actor?: AuditActor): Promise<CreatedCredential> {
    const account = await this.#store.getServiceAccount(serviceAccountId);
    if (!account) throw new NotFoundError(`no service account ${serviceAccountId}`);
    if (!account.active) throw new ValidationError('serviceAccount', 'the service account is inactive');
    await this.#checkScopes(account.roles, input);
    return this.#mint('service_access_token', mintTokenString(TOKEN_PREFIXES.service_access_token), account.id, input, actor);
  }

  /** A user's own key (`Token <hex>`): one per user; making a new one revokes the old. */
  async regenerateUserToken(userId: string, actor?: AuditActor): Promise<CreatedCredential> {
    const user = await this.#activeUser(userId);
    const now = this.#clock.now();
    for (const old of await this.#store.listSubjectTokens(user.id, ['user_token'])) {
      if (old.revokedAt === undefined && (await this.#store.revokeToken(old.hash, now))) this.#revoked(old, actor, 'replaced by a new user token');
    }
    return this.#save(mintHexKey(), 'user_token', user.id, { name: 'user token', api: '', scopes: [] }, NEVER, {}, actor);
  }

  /** A user's key limited to endpoints such as `GET /calendars/*\/events` (`ActionToken <hex>`). */
  async createActionToken(userId: string, input: { name: string; endpoints: string[] }, actor?: AuditActor): Promise<CreatedCredential> {
    const user = await this.#activeUser(userId);
    if (input.endpoints.length === 0) throw new ValidationError('endpoints', 'list at least one endpoint, e.g. "GET /calendars/*/events"');
    input.endpoints.forEach((pattern, i) => {
      try {
        parseEndpointPattern(pattern);
      } catch (error) {
        throw new ValidationError(`endpoints[${i}]`, (error as Error).message);
      }
    });
    this.#checkName(input.name);
    return this.#save(mintHexKey(), 'action_token', user.id, { name: input.name, api: '', scopes: [] }, NEVER, { endpoints: input.endpoints }, actor);
  }

  /** A subject's manual credentials (PAT, SAT, user and action tokens), newest first, without secrets. */
  async list(subject: string, kinds: readonly StoredTokenKind[] = MANUAL_TOKEN_KINDS): Promise<TokenSummary[]> {
    return (await this.#store.listSubjectTokens(subject, kinds)).map(summarize);
  }

  async get(id: string): Promise<TokenSummary | undefined> {
    const token = await this.#store.findTokenById(id);
    return token && MANUAL_TOKEN_KINDS.includes(token.kind) ? summarize(token) : undefined;
  }

  /** Revokes one manual credential by id; false when it was already revoked. */
  async revoke(id: string, actor?: AuditActor): Promise<boolean> {
    const token = await this.#store.findTokenById(id);
    if (!token || !MANUAL_TOKEN_KINDS.includes(token.kind)) throw new NotFoundError(`no token ${id}`);
    const revoked = await this.#store.revokeToken(token.hash, this.#clock.now());
    if (revoked) this.#revoked(token, actor);
    return revoked;
  }

  async #activeUser(userId: string) {
    const user = await this.#store.getUser(userId);
    if (!user) throw new NotFoundError(`no user ${userId}`);
    if (!user.active) throw new ValidationError('user', 'an inactive user cannot create tokens');
    return user;
  }

  #checkName(name: string): void {
    if (!name.trim() || name.length > 100) throw new ValidationError('name', 'give the token a name of at most 100 characters');
  }

  /** Scopes must exist on the API and lie within what the owner's roles allow there. */
  async #checkScopes(roles: string[], input: ScopedTokenInput): Promise<void> {
    this.#checkName(input.name);
    const api = await this.#catalog.api(input.api);
    if (!api) throw new ValidationError('api', `unknown API ${input.api}`);
    if (input.scopes.length === 0) throw new ValidationError('scopes', 'list at least one scope');
    const allowed = await allowedScopes(this.#store, roles, api);
    const refused = input.scopes.filter((s) => !allowed.includes(s));
    if (refused.length > 0) throw new ValidationError('scopes', `not within the owner's permissions on ${api.identifier}: ${refused.join(' ')}`);
    if (input.expiresIn !== undefined && (!Number.isInteger(input.expiresIn) || input.expiresIn <= 0 || input.expiresIn > this.policy.maxLifetime)) {
      throw new ValidationError('expiresIn', `must be a whole number of seconds from 1 to ${this.policy.maxLifetime}`);
    }
    if (input.dpopJkt !== undefined && !THUMBPRINT.test(input.dpopJkt)) {
      throw new ValidationError('dpopJkt', 'must be the base64url SHA-256 JWK thumbprint (RFC 7638) of the DPoP public key: 43 characters');
    }
  }

  #mint(kind: StoredTokenKind, token: string, subject: string, input: ScopedTokenInput, actor: AuditActor | undefined): Promise<CreatedCredential> {
    // The binding lives in the details, as for DPoP-bound reference access tokens: the inspector reads it as `jkt`.
    const bound = input.dpopJkt !== undefined ? { jkt: input.dpopJkt } : {};
    return this.#save(token, kind, subject, input, this.#clock.now() + (input.expiresIn ?? this.policy.maxLifetime), bound, actor);
  }

  #revoked(token: StoredToken, actor: AuditActor | undefined, reason?: string): void {
    this.#audit.record({
      type: 'token.revoked',
      outcome: 'success',
      ...(actor ? { actor } : {}),
      subject: token.subject,
      tokenKind: token.kind,
      tokenId: token.jti,
      ...(reason ? { details: { why: reason } } : {}),
    });
  }

  #changed(actor: AuditActor | undefined, kind: string, id: string, action: string, diff: object, details: Record<string, unknown> = {}): void {
    this.#audit.record({ type: 'management.changed', outcome: 'success', ...(actor ? { actor } : {}), details: { kind, id, action, diff, ...details } });
  }

  /** Stores the hash of `token` with its description; returns the secret and the summary. */
  async #save(
    token: string,
    kind: StoredTokenKind,
    subject: string,
    input: Pick<ScopedTokenInput, 'name' | 'api' | 'scopes'>,
    expiresAt: number,
    details: Record<string, unknown> = {},
    actor?: AuditActor,
  ): Promise<CreatedCredential> {
    const record: StoredToken = {
      hash: this.#hasher.hash(token),
      kind,
      jti: timeOrderedId(),
      clientId: '',
      subject,
      audience: input.api,
      scope: [...new Set(input.scopes)].join(' '),
      issuedAt: this.#clock.now(),
      expiresAt,
      details: { name: input.name, ...details },
    };
    await this.#store.insertToken(record);
    await this.#audit.recordDurably({
      type: 'token.issued',
      outcome: 'success',
      ...(actor ? { actor } : {}),
      subject,
      ...(input.api ? { api: input.api } : {}),
      scopes: [...new Set(input.scopes)],
      tokenKind: kind,
      tokenId: record.jti,
      details: { name: input.name, expiresAt: expiresAt, ...details },
    });
    return { token, summary: summarize(record) };
  }
}
