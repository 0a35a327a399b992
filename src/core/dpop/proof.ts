/**
 * DPoP proofs (RFC 9449 §4.3): the checks a server makes on the `DPoP` header before
 * it binds a token to, or accepts a token bound to, the proof's key. Every failure is
 * `invalid_dpop_proof` (§5, §7.1); a proof is used once (`jti` in a shared replay cache,
 * so a proof replayed against another instance is refused too).
 */
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, errors as joseErrors, jwtVerify, type JWK } from 'jose';
import { OAuthError } from '../errors.js';

/** Asymmetric algorithms a proof may be signed with; `none` and HMAC never. */
export const DPOP_ALGS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const;

/** Private members of each key type: a `jwk` header carrying any of them is refused. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** Where proofs are remembered until their `iat` window closes (the store, Redis, or memory). */
export interface ProofReplayCache {
  /** Records `key` until `expiresAt`; false when it was already recorded. */
  useOnce(key: string, expiresAt: number, now: number): Promise<boolean>;
}

export interface ProofPolicy {
  /** How old a proof's `iat` may be, in seconds. */
  iatWindow: number;
  /** How far in the future a proof's `iat` may be (clock skew), in seconds. */
  clockSkew: number;
}

export const DEFAULT_PROOF_POLICY: ProofPolicy = { iatWindow: 60, clockSkew: 5 };

export interface ProofCheck {
  method: string;
  /** The URL the request was sent to; compared without query and fragment. */
  url: string;
  now: number;
  /** The access token sent with the proof, whose hash `ath` must carry (§4.3 check 11). */
  accessToken?: string;
  /** The nonce the server expects, if it uses nonces. */
  nonce?: (presented: unknown) => boolean;
}

export interface VerifiedProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's key: `cnf.jkt`. */
  jkt: string;
  jti: string;
  iat: number;
}

export const invalidDpopProof = (description: string) => new OAuthError('invalid_dpop_proof', 400, description);

/** `htu` and the request URL compared as RFC 9449 §4.3 asks: no query, no fragment, normalised (RFC 3986 §6). */
export function normalizeHtu(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return undefined;
  }
}

/** The `ath` of an access token: base64url SHA-256 of its ASCII form. */
export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('base64url');
}

/** The one `DPoP` header of a request; more than one (joined by a comma) is refused. */
export function presentedProof(headers: Record<string, string | undefined>): string | undefined {
  const value = headers.dpop;
  if (value === undefined) return undefined;
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value)) throw invalidDpopProof('the DPoP header must hold exactly one proof JWT');
  return value;
}

export class DpopProofVerifier {
  readonly #replay: ProofReplayCache;
  readonly policy: ProofPolicy;

  constructor(replay: ProofReplayCache, policy: Partial<ProofPolicy> = {}) {
    this.#replay = replay;
    this.policy = { ...DEFAULT_PROOF_POLICY, ...policy };
  }

  async verify(proof: string, check: ProofCheck): Promise<VerifiedProof> {
    const jwk = proofKey(proof);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [...DPOP_ALGS] }));
    } catch (error) {
      throw invalidDpopProof(error instanceof joseErrors.JOSEError ? `the DPoP proof is invalid: ${error.message}` : 'the DPoP proof is invalid');
    }
    const { jti, htm, htu, iat } = payload;
    if (typeof jti !== 'string' || jti.length < 8 || jti.length > 256) throw invalidDpopProof('the DPoP proof needs a jti of 8 to 256 characters');
    if (htm !== check.method) throw invalidDpopProof(`the DPoP proof's htm must be ${check.method}`);
    const expected = normalizeHtu(check.url);
    if (typeof htu !== 'string' || normalizeHtu(htu) === undefined || normalizeHtu(htu) !== expected) {
      throw invalidDpopProof(`the DPoP proof's htu must be ${expected}`);
    }
    if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalidDpopProof('the DPoP proof needs an iat');
    if (iat > check.now + this.policy.clockSkew) throw invalidDpopProof('the DPoP proof was issued in the future');
    if (iat < check.now - this.policy.iatWindow) throw invalidDpopProof('the DPoP proof is too old');
    if (check.accessToken !== undefined) {
      if (payload.ath !== accessTokenHash(check.accessToken)) throw invalidDpopProof("the DPoP proof's ath does not match the access token");
    }
    if (check.nonce && !check.nonce(payload.nonce)) throw useDpopNonce(payload.nonce === undefined ? 'a DPoP nonce is required' : 'the DPoP nonce is stale');
    const jkt = await calculateJwkThumbprint(jwk, 'sha256');
    // Scoped to the key: two clients cannot collide on a jti; kept until the window closes.
    const fresh = await this.#replay.useOnce(`dpop:${jkt}:${jti}`, Math.floor(iat) + this.policy.iatWindow + this.policy.clockSkew, check.now);
    if (!fresh) throw invalidDpopProof('the DPoP proof has already been used');
    return { jkt, jti, iat };
  }
}

/** RFC 9449 §8: the server wants a (fresh) nonce in the proof. */
export const useDpopNonce = (description: string) => new OAuthError('use_dpop_nonce', 400, description);

/** The `jwk` header: a public asymmetric key, nothing private (§4.3 checks 5-7). */
function proofKey(proof: string): JWK {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    throw invalidDpopProof('the DPoP proof is not a JWT');
  }
  if (header.typ !== 'dpop+jwt') throw invalidDpopProof('the DPoP proof must have typ dpop+jwt');
  if (typeof header.alg !== 'string' || !(DPOP_ALGS as readonly string[]).includes(header.alg)) {
    throw invalidDpopProof(`the DPoP proof's alg must be one of ${DPOP_ALGS.join(', ')}`);
  }
  const jwk = header.jwk;
  if (!jwk || typeof jwk !== 'object') throw invalidDpopProof('the DPoP proof needs a jwk header');
  if (jwk.kty !== 'EC' && jwk.kty !== 'RSA' && jwk.kty !== 'OKP') throw invalidDpopProof('the DPoP proof key must be asymmetric');
  if (PRIVATE_MEMBERS.some((m) => Object.hasOwn(jwk, m))) throw invalidDpopProof('the DPoP proof jwk must not contain a private key');
  return jwk;
}
