/**
 * Refresh tokens: opaque `tsr_rt_` strings, stored hashed, one family per grant.
 * Every use rotates: the used token is consumed and a successor issued. A consumed
 * token presented again is reuse, i.e. theft or a confused client, and revokes the
 * whole family, unless it comes within the grace period and its successor has not
 * been used yet (a client retrying after a lost response).
 *
 * A retry must not fork the family (RFC 9700 §4.14.2), so a token's successor is not
 * random: it is derived from the token itself under the server's hashing key. Every
 * retry, however many race, is answered with the one same successor, and the store
 * inserts it once; only a hash of it is kept, as of every token.
 */
import type { Clock } from '../clock.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import { mintTokenString, TOKEN_PREFIXES, tokenStringFrom } from '../crypto/token-string.js';
import type { StoredToken } from '../model.js';
import type { TokenRepository } from '../ports/storage.js';
import { timeOrderedId } from '../crypto/time-ordered-id.js';

export interface RefreshTokenDetails extends Record<string, unknown> {
  authTime: number;
  /** How the user signed in: carried to every token of the family. */
  amr?: string[];
  sid?: string;
  /** The API the family's access tokens are for, if any. */
  api?: string;
  /** The family belongs to a sandboxed sign-in. */
  sandbox?: boolean;
}

export interface RefreshTokenPolicy {
  /** Lifetime of a refresh token, in seconds (each rotation starts a new one). */
  ttl: number;
  /** How long a rotated token may still be retried (answered with the same successor), in seconds; 0 for none. */
  reuseGrace: number;
}

export const DEFAULT_REFRESH_POLICY: RefreshTokenPolicy = { ttl: 30 * 86400, reuseGrace: 10 };

export class RefreshTokenIssuer {
  readonly #tokens: TokenRepository;
  readonly #hasher: SecretHasher;
  readonly #clock: Clock;
  readonly policy: RefreshTokenPolicy;

  constructor(tokens: TokenRepository, hasher: SecretHasher, clock: Clock, policy: RefreshTokenPolicy) {
    this.#tokens = tokens;
    this.#hasher = hasher;
    this.#clock = clock;
    this.policy = policy;
  }

  /** The successor of a refresh token: always the same string for the same token. */
  successorOf(token: string): { token: string; hash: string } {
    const seed = Buffer.from(this.#hasher.hash(`tessera refresh-token successor v1\0${token}`), 'base64url');
    const successor = tokenStringFrom(TOKEN_PREFIXES.refresh_token, seed);
    return { token: successor, hash: this.#hasher.hash(successor) };
  }

  /**
   * Issues a refresh token: a fresh one, or the successor of `parent`. A successor
   * already issued (to a retry of the same parent) is answered again, not duplicated.
   */
  async issue(input: {
    clientId: string;
    userId: string;
    scopes: string[];
    grantId: string;
    details: RefreshTokenDetails;
    parent?: { token: string; hash: string };
  }): Promise<{ token: string; jti: string }> {
    const successor = input.parent ? this.successorOf(input.parent.token) : undefined;
    const token = successor?.token ?? mintTokenString(TOKEN_PREFIXES.refresh_token);
    const now = this.#clock.now();
    const record: StoredToken = {
      hash: successor?.hash ?? this.#hasher.hash(token),
      kind: 'refresh_token',
      jti: timeOrderedId(),
      clientId: input.clientId,
      subject: input.userId,
      audience: input.details.api ?? '',
      scope: input.scopes.join(' '),
      issuedAt: now,
      expiresAt: now + this.policy.ttl,
      grantId: input.grantId,
      details: input.details,
    };
    if (!input.parent) {
      await this.#tokens.insertToken(record);
      return { token, jti: record.jti };
    }
    if (!(await this.#tokens.insertTokenOnce(record))) {
      const existing = await this.#tokens.findTokenByHash(record.hash);
      return { token, jti: existing?.jti ?? record.jti };
    }
    await this.#tokens.setSuccessor(input.parent.hash, record.hash);
    return { token, jti: record.jti };
  }
}
