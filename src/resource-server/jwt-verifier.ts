/**
 * Bearer JWT access tokens (RFC 9068), verified locally: an allow-listed algorithm, a
 * key from the issuer's JWKS, `typ: at+jwt`, iss, aud, exp and nbf with a small clock
 * tolerance. A verified token is cached by its hash until it expires.
 */
import { createHash } from 'node:crypto';
import { errors, jwtVerify } from 'jose';
import { BoundedCache } from './bounded-cache.js';
import type { AuthErrorReason } from './errors.js';
import { UpstreamError } from './fetch-json.js';
import type { JwksCache } from './jwks.js';
import type { Clock, JwsAlgorithm } from './options.js';
import { principalFromJwt, type Principal } from './principal.js';

const REQUIRED_CLAIMS = ['exp', 'iat', 'sub', 'client_id', 'jti'];

export class JwtVerifier {
  readonly #options: { issuer: string; audience: string; algorithms: JwsAlgorithm[]; clockTolerance: number; clock: Clock };
  readonly #jwks: JwksCache;
  readonly #verified: BoundedCache<Principal>;

  constructor(options: { issuer: string; audience: string; algorithms: JwsAlgorithm[]; clockTolerance: number; clock: Clock; cacheSize: number }, jwks: JwksCache) {
    this.#options = options;
    this.#jwks = jwks;
    this.#verified = new BoundedCache(options.cacheSize);
  }

  async verify(token: string): Promise<Principal | AuthErrorReason> {
    const { clock, clockTolerance } = this.#options;
    const now = clock.now();
    const key = createHash('sha256').update(token).digest('base64url');
    const cached = this.#verified.get(key);
    if (cached) {
      if (now < cached.expiresAt! + clockTolerance) return cached;
      this.#verified.delete(key);
      return 'expired';
    }
    const outcome = await this.#verifySignatureAndClaims(token, now);
    if (typeof outcome !== 'string') this.#verified.set(key, outcome);
    return outcome;
  }

  async #verifySignatureAndClaims(token: string, now: number): Promise<Principal | AuthErrorReason> {
    const { issuer, audience, algorithms, clockTolerance } = this.#options;
    try {
      const { payload } = await jwtVerify(token, (header, input) => this.#jwks.getKey(header, input), {
        issuer,
        audience,
        algorithms,
        typ: 'at+jwt',
        clockTolerance,
        currentDate: new Date(now * 1000),
        requiredClaims: REQUIRED_CLAIMS,
      });
      return principalFromJwt(payload, audience);
    } catch (error) {
      return reasonOf(error);
    }
  }
}

/** Maps jose's error codes to ours. */
function reasonOf(error: unknown): AuthErrorReason {
  if (error instanceof UpstreamError) return 'jwks_unavailable';
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return 'invalid_claims';
    const byClaim: Record<string, AuthErrorReason> = { iss: 'wrong_issuer', aud: 'wrong_audience', nbf: 'not_yet_valid', typ: 'wrong_typ' };
    return byClaim[error.claim] ?? 'invalid_claims';
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'alg_not_allowed';
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) return 'unknown_key';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  return 'malformed_jwt';
}
