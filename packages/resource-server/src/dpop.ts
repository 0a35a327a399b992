/**
 * DPoP (RFC 9449 §4.3, §7.1) at the API: the proof in the `DPoP` header is checked
 * (typ dpop+jwt, an allow-listed asymmetric alg, a public jwk, the signature, htm,
 * htu, iat window, unseen jti, ath) and its key's thumbprint must equal the token's
 * `cnf.jkt`. Replay is caught by a bounded in-memory cache, or one the caller plugs in
 * (shared across instances). As an option, proofs must carry a nonce this API issued
 * (§9): a proof without one is answered `use_dpop_nonce` with a `DPoP-Nonce` header.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose';
import type { AuthErrorReason } from './errors.js';
import type { Clock, JwsAlgorithm } from './options.js';

/** Remembers proof jtis until they can no longer pass the iat check. */
export interface DpopReplayCache {
  /** True when `jti` was not seen before (and records it until `expiresAt`, seconds). */
  firstUse(jti: string, expiresAt: number): boolean | Promise<boolean>;
}

/** The default: at most `max` jtis in memory, the oldest dropped first. */
export class MemoryReplayCache implements DpopReplayCache {
  readonly #seen = new Map<string, number>();
  readonly #max: number;
  readonly #clock: Clock;
  constructor(max = 10_000, clock: Clock = { now: () => Math.floor(Date.now() / 1000) }) {
    this.#max = max;
    this.#clock = clock;
  }
  firstUse(jti: string, expiresAt: number): boolean {
    const now = this.#clock.now();
    const until = this.#seen.get(jti);
    if (until !== undefined && until >= now) return false;
    this.#seen.delete(jti);
    while (this.#seen.size >= this.#max) this.#seen.delete(this.#seen.keys().next().value!);
    this.#seen.set(jti, expiresAt);
    return true;
  }
}

/**
 * Server-provided nonces (RFC 9449 §9), stateless: a nonce is an HMAC of the current time
 * window under a secret, so instances sharing the secret issue and accept the same ones
 * without storing anything. This window's and the previous one's are accepted.
 */
export class DpopNonces {
  readonly #secret: Buffer;
  readonly #window: number;
  constructor(secret: string | undefined, windowSeconds: number) {
    // Without a shared secret, a random one: fine for one instance; several need `secret`.
    this.#secret = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
    this.#window = windowSeconds;
  }
  #nonceOf(slot: number): string {
    return createHmac('sha256', this.#secret).update(`dpop-nonce\0${slot}`).digest('base64url').slice(0, 32);
  }
  /** The nonce to hand out now, in the `DPoP-Nonce` header. */
  current(now: number): string {
    return this.#nonceOf(Math.floor(now / this.#window));
  }
  accepts(nonce: unknown, now: number): boolean {
    if (typeof nonce !== 'string') return false;
    const given = Buffer.from(nonce);
    if (given.length !== 32) return false; // bytes, not characters: timingSafeEqual needs equal lengths
    const slot = Math.floor(now / this.#window);
    return [slot, slot - 1].some((s) => timingSafeEqual(given, Buffer.from(this.#nonceOf(s))));
  }
}

export interface DpopSettings {
  /** The API's public origin (scheme://host[:port]) as clients call it: htu is built from it. */
  origin: string;
  algorithms: JwsAlgorithm[];
  replayCache: DpopReplayCache;
  clock: Clock;
  /** Set: every proof must carry one of these nonces. */
  nonces?: DpopNonces | undefined;
}

/** RFC 9449 §4.3 step 11: the lifetime of a proof (iat window) and the skew allowed. */
export const PROOF_WINDOW = 60;
export const PROOF_SKEW = 5;

/** The request's htu: the public origin plus the path, without query or fragment. */
export function requestHtu(origin: string, url: string): string {
  const path = url.split(/[?#]/)[0] || '/';
  const u = new URL(path.startsWith('/') ? path : `/${path}`, origin);
  return `${u.origin}${u.pathname}`;
}

/** Checks one proof for a token sent as `DPoP <token>`; answers the key's thumbprint, or why not. */
export async function verifyProof(
  proof: string | string[] | undefined,
  request: { method: string; url: string },
  token: string,
  s: DpopSettings,
): Promise<{ jkt: string } | AuthErrorReason> {
  if (typeof proof !== 'string' || proof.length === 0 || proof.length > 8192) return 'dpop_proof_invalid';
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    const verified = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: s.algorithms });
    header = verified.protectedHeader as Record<string, unknown>;
    payload = verified.payload as Record<string, unknown>;
  } catch {
    return 'dpop_proof_invalid';
  }
  const jwk = header.jwk as Record<string, unknown> | undefined;
  if (!jwk || typeof jwk !== 'object' || 'd' in jwk || 'p' in jwk || 'k' in jwk) return 'dpop_proof_invalid';
  const { htm, htu, iat, jti, ath, nonce } = payload;
  if (typeof htm !== 'string' || htm !== request.method.toUpperCase()) return 'dpop_proof_invalid';
  if (typeof htu !== 'string' || !URL.canParse(htu)) return 'dpop_proof_invalid';
  const claimed = new URL(htu);
  if (`${claimed.origin}${claimed.pathname}` !== requestHtu(s.origin, request.url)) return 'dpop_proof_invalid';
  const now = s.clock.now();
  if (typeof iat !== 'number' || iat > now + PROOF_SKEW || iat < now - PROOF_WINDOW - PROOF_SKEW) return 'dpop_proof_invalid';
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) return 'dpop_proof_invalid';
  if (ath !== createHash('sha256').update(token).digest('base64url')) return 'dpop_proof_invalid';
  // §9: checked once the proof is otherwise good, so the client retries only what a nonce fixes.
  if (s.nonces && !s.nonces.accepts(nonce, now)) return 'dpop_nonce_required';
  const jkt = await calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0], 'sha256');
  // Replay last, so that a bad proof never fills the cache.
  if (!(await s.replayCache.firstUse(`${jkt}:${jti}`, iat + PROOF_WINDOW + PROOF_SKEW))) return 'dpop_replayed';
  return { jkt };
}
