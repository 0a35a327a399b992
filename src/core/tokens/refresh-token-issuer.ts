/**
 * Refresh tokens: opaque `tsr_rt_` strings, stored hashed, one family per grant.
 * Every use rotates: the used token is consumed and a successor issued. A consumed
 * token presented again is reuse, i.e. theft or a confused client, and revokes the
 * whole family, unless it comes within the grace period and its successor has not
 * been used yet (a client retrying after a lost response).
 */
import type { Clock } from '../clock.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import { mintTokenString, TOKEN_PREFIXES } from '../crypto/token-string.js';
import type { StoredToken } from '../model.js';
import type { TokenRepository } from '../ports/storage.js';
import { timeOrderedId } from '../crypto/time-ordered-id.js';

export interface RefreshTokenDetails extends Record<string, unknown> {
  authTime: number;
  sid?: string;
  /** The API the family's access tokens are for, if any. */
  api?: string;
  /** The family belongs to a sandboxed sign-in. */
  sandbox?: boolean;
}

export interface RefreshTokenPolicy {
  /** Lifetime of a refresh token, in seconds (each rotation starts a new one). */
  ttl: number;
  /** How long a rotated token may still be retried, in seconds; 0 for none. */
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

  async issue(input: {
    clientId: string;
    userId: string;
    scopes: string[];
    grantId: string;
    details: RefreshTokenDetails;
    parentHash?: string;
  }): Promise<{ token: string; jti: string }> {
    const token = mintTokenString(TOKEN_PREFIXES.refresh_token);
    const now = this.#clock.now();
    const record: StoredToken = {
      hash: this.#hasher.hash(token),
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
    await this.#tokens.insertToken(record);
    if (input.parentHash) await this.#tokens.setSuccessor(input.parentHash, record.hash);
    return { token, jti: record.jti };
  }
}
