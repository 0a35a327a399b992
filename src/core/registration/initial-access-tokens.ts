/**
 * Initial access tokens (RFC 7591 §3): what an operator hands out so that only its
 * holders may register clients. Kept in the tokens table (kind initial_access_token),
 * only as keyed hashes; each may expire and may be single-use. They are never access
 * tokens: introspection and the resource-server SDK do not know their prefix.
 */
import type { Clock } from '../clock.js';
import { checkTokenString, mintTokenString, TOKEN_PREFIXES } from '../crypto/token-string.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import { timeOrderedId } from '../crypto/time-ordered-id.js';
import { NEVER, type StoredToken } from '../model.js';
import type { TokenRepository } from '../ports/storage.js';

/** Every initial access token is filed under this subject, so they can be listed together. */
const SUBJECT = 'tessera:registration';
const KINDS = ['initial_access_token'] as const;

export interface InitialAccessTokenInfo {
  id: string;
  name?: string;
  createdAt: number;
  /** Absent: does not expire. */
  expiresAt?: number;
  singleUse: boolean;
  usedAt?: number;
  revokedAt?: number;
  /** Who created it (an admin's or service account's id). */
  createdBy?: string;
  /** usable, expired, used or revoked. */
  status: 'usable' | 'expired' | 'used' | 'revoked';
}

export interface NewInitialAccessToken {
  name?: string;
  /** Seconds until it expires; absent: it does not. */
  expiresIn?: number;
  singleUse?: boolean;
  createdBy?: string;
}

export class InitialAccessTokens {
  readonly #store: TokenRepository;
  readonly #hasher: SecretHasher;
  readonly #clock: Clock;

  constructor(store: TokenRepository, hasher: SecretHasher, clock: Clock) {
    this.#store = store;
    this.#hasher = hasher;
    this.#clock = clock;
  }

  /** Creates one; the token string is returned this once and stored only as a hash. */
  async create(input: NewInitialAccessToken): Promise<{ token: string; info: InitialAccessTokenInfo }> {
    const now = this.#clock.now();
    const token = mintTokenString(TOKEN_PREFIXES.initial_access_token);
    const stored: StoredToken = {
      hash: this.#hasher.hash(token),
      kind: 'initial_access_token',
      jti: timeOrderedId(now * 1000),
      clientId: '',
      subject: SUBJECT,
      audience: '',
      scope: '',
      issuedAt: now,
      expiresAt: input.expiresIn !== undefined ? now + input.expiresIn : NEVER,
      details: { singleUse: input.singleUse === true, ...(input.name ? { name: input.name } : {}), ...(input.createdBy ? { createdBy: input.createdBy } : {}) },
    };
    await this.#store.insertToken(stored);
    return { token, info: this.#describe(stored, now) };
  }

  async list(): Promise<InitialAccessTokenInfo[]> {
    const now = this.#clock.now();
    return (await this.#store.listSubjectTokens(SUBJECT, KINDS)).map((t) => this.#describe(t, now));
  }

  /** Revokes by id; false when there is no such token or it was already revoked. */
  async revoke(id: string): Promise<boolean> {
    const stored = await this.#store.findTokenById(id);
    if (!stored || stored.kind !== 'initial_access_token') return false;
    return this.#store.revokeToken(stored.hash, this.#clock.now());
  }

  /** The id of the usable token `token` is, using it up if single-use; undefined if it is not one. */
  async use(token: string): Promise<string | undefined> {
    if (checkTokenString(token) !== TOKEN_PREFIXES.initial_access_token) return undefined;
    const now = this.#clock.now();
    const stored = await this.#store.findTokenByHash(this.#hasher.hash(token));
    if (!stored || stored.kind !== 'initial_access_token' || stored.revokedAt !== undefined || stored.expiresAt <= now) return undefined;
    if (stored.details?.singleUse === true && !(await this.#store.consumeToken(stored.hash, now))) return undefined;
    return stored.jti;
  }

  #describe(t: StoredToken, now: number): InitialAccessTokenInfo {
    const singleUse = t.details?.singleUse === true;
    const info: InitialAccessTokenInfo = {
      id: t.jti,
      createdAt: t.issuedAt,
      singleUse,
      status: t.revokedAt !== undefined ? 'revoked' : singleUse && t.consumedAt !== undefined ? 'used' : t.expiresAt <= now ? 'expired' : 'usable',
    };
    if (typeof t.details?.name === 'string') info.name = t.details.name;
    if (typeof t.details?.createdBy === 'string') info.createdBy = t.details.createdBy;
    if (t.expiresAt !== NEVER) info.expiresAt = t.expiresAt;
    if (t.consumedAt !== undefined) info.usedAt = t.consumedAt;
    if (t.revokedAt !== undefined) info.revokedAt = t.revokedAt;
    return info;
  }
}
