/**
 * The grants a user gave apps, as the user and administrators see them: one per
 * authorization (its grant id), made of the refresh tokens that rotate within it and
 * the reference access tokens it issued. A grant is listed while any of its tokens
 * can still be used. Revoking one ends every token of it at once (grant-revocation.ts);
 * JWT access tokens already issued lapse within their lifetime.
 */
import type { AuditActor } from '../audit/audit-event.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import { NotFoundError } from '../errors.js';
import type { StoredToken } from '../model.js';
import type { RevocationRepository, TokenRepository } from '../ports/storage.js';
import { isGrantRevoked, revokeGrant } from './grant-revocation.js';

export interface UserGrant {
  id: string;
  clientId: string;
  /** The API its access tokens are for, if any. */
  api?: string;
  scopes: string[];
  createdAt: number;
  /** When its refresh token was last rotated; absent if never. */
  refreshedAt?: number;
  /** Last time one of its tokens was seen in use. */
  lastUsedAt?: number;
  /** When its last usable token expires, unless refreshed. */
  expiresAt: number;
}

const GRANT_KINDS = ['refresh_token', 'access_token'] as const;

const usable = (t: StoredToken, now: number) => t.revokedAt === undefined && t.consumedAt === undefined && t.expiresAt > now;

export class UserGrants {
  readonly #store: TokenRepository & RevocationRepository;
  readonly #clock: Clock;
  readonly #audit: AuditLog;
  /** How long the grant's revocation marker must outlive it: its longest-lived token. */
  readonly #longestLifetime: () => number;

  constructor(deps: { store: TokenRepository & RevocationRepository; clock: Clock; audit: AuditLog; longestLifetime: () => number }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#audit = deps.audit;
    this.#longestLifetime = deps.longestLifetime;
  }

  /** The user's live grants, newest first. */
  async list(userId: string): Promise<UserGrant[]> {
    const now = this.#clock.now();
    const byGrant = new Map<string, StoredToken[]>();
    for (const token of await this.#store.listSubjectTokens(userId, GRANT_KINDS)) {
      if (token.grantId === undefined) continue;
      const list = byGrant.get(token.grantId) ?? [];
      list.push(token);
      byGrant.set(token.grantId, list);
    }
    const grants: UserGrant[] = [];
    for (const [id, tokens] of byGrant) {
      const live = tokens.filter((t) => usable(t, now));
      if (live.length === 0 || (await isGrantRevoked(this.#store, id))) continue;
      grants.push(describe(id, tokens, live));
    }
    return grants.sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
  }

  /** Revokes one of the user's grants; NotFoundError when the user holds no live grant of that id. */
  async revoke(userId: string, grantId: string, actor?: AuditActor): Promise<UserGrant> {
    const grant = (await this.list(userId)).find((g) => g.id === grantId);
    if (!grant) throw new NotFoundError(`no grant ${grantId} of user ${userId}`);
    const now = this.#clock.now();
    await revokeGrant(this.#store, grantId, now, this.#longestLifetime());
    this.#audit.record({
      type: 'token.revoked',
      outcome: 'success',
      ...(actor ? { actor } : {}),
      subject: userId,
      clientId: grant.clientId,
      scopes: grant.scopes,
      details: { grantId },
    });
    return grant;
  }
}

function describe(id: string, tokens: StoredToken[], live: StoredToken[]): UserGrant {
  const newest = [...live].sort((a, b) => b.issuedAt - a.issuedAt)[0]!;
  const refreshes = tokens.filter((t) => t.kind === 'refresh_token');
  const createdAt = Math.min(...tokens.map((t) => t.issuedAt));
  const lastRefresh = refreshes.length > 1 ? Math.max(...refreshes.map((t) => t.issuedAt)) : undefined;
  const used = tokens.map((t) => t.lastUsedAt).filter((t): t is number => t !== undefined);
  const grant: UserGrant = {
    id,
    clientId: newest.clientId,
    scopes: newest.scope.split(' ').filter(Boolean),
    createdAt,
    expiresAt: Math.max(...live.map((t) => t.expiresAt)),
  };
  const api = newest.audience || (newest.details?.api as string | undefined);
  if (api) grant.api = api;
  if (lastRefresh !== undefined && lastRefresh > createdAt) grant.refreshedAt = lastRefresh;
  if (used.length > 0) grant.lastUsedAt = Math.max(...used);
  return grant;
}
