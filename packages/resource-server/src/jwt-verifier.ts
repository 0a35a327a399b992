/**
 * Bearer JWT access tokens (RFC 9068), verified locally: an allow-listed algorithm, a
 * key from the issuer's JWKS, `typ: at+jwt`, iss, aud, exp and nbf with a small clock
 * tolerance. A verified token is cached until it expires.
 *
 * The key set (fetching, kid matching, JWK import) is jose's; the signature check is
 * node:crypto's synchronous `verify`, and the claims are checked here with jose's
 * rules. jose 6 verifies through WebCrypto, whose every call is a promise and a trip
 * through the thread pool: about 2.4 times the CPU of `crypto.verify` for ES256
 * (bench/results/2026-11-23-analysis.md, "SDK: what was fixed, and what bounds it now").
 */
import { constants, createHash, KeyObject, verify as cryptoVerify } from 'node:crypto';
import { errors } from 'jose';
import { BoundedCache } from './bounded-cache.js';
import type { AuthErrorReason } from './errors.js';
import { UpstreamError } from './fetch-json.js';
import type { JwksCache } from './jwks.js';
import type { Clock, JwsAlgorithm } from './options.js';
import { principalFromJwt, type Principal } from './principal.js';

/** RFC 9068 §2.2: the claims an access token must carry (iss and aud first, as jose checks them). */
const REQUIRED_CLAIMS = ['iss', 'aud', 'exp', 'iat', 'sub', 'client_id', 'jti'];

/** How node:crypto verifies each allowed algorithm, and the key it needs. */
interface SignatureSpec {
  digest: string | null;
  keyTypes: readonly string[];
  curve?: string;
  pss?: boolean;
}
const SIGNATURES: Record<JwsAlgorithm, SignatureSpec> = {
  ES256: { digest: 'sha256', keyTypes: ['ec'], curve: 'prime256v1' },
  ES384: { digest: 'sha384', keyTypes: ['ec'], curve: 'secp384r1' },
  ES512: { digest: 'sha512', keyTypes: ['ec'], curve: 'secp521r1' },
  RS256: { digest: 'sha256', keyTypes: ['rsa'] },
  RS384: { digest: 'sha384', keyTypes: ['rsa'] },
  RS512: { digest: 'sha512', keyTypes: ['rsa'] },
  PS256: { digest: 'sha256', keyTypes: ['rsa', 'rsa-pss'], pss: true },
  PS384: { digest: 'sha384', keyTypes: ['rsa', 'rsa-pss'], pss: true },
  PS512: { digest: 'sha512', keyTypes: ['rsa', 'rsa-pss'], pss: true },
  EdDSA: { digest: null, keyTypes: ['ed25519', 'ed448'] },
  Ed25519: { digest: null, keyTypes: ['ed25519'] },
};
const DIGEST_BYTES: Record<string, number> = { sha256: 32, sha384: 48, sha512: 64 };

/** Tokens longer than this are cached under their SHA-256 rather than themselves. */
const MAX_KEYED_TOKEN = 2048;
/** How many trailing characters of a token's identity key its cache slot (see JwtVerifier.#slotKey). */
const SLOT_KEY_CHARS = 32;

/** A verified token in the cache: the whole identity a hit must match, and its principal. */
interface VerifiedToken {
  identity: string;
  principal: Principal;
}

/** A refusal decided here, carrying its reason. */
class Refusal {
  readonly reason: AuthErrorReason;
  constructor(reason: AuthErrorReason) {
    this.reason = reason;
  }
}

/** jose's normalisation of `typ` (RFC 8725 §3.11): case-insensitive, `application/` optional. */
const normalizeTyp = (typ: string) => typ.toLowerCase().replace(/^application\//, '');

function decodeJsonObject(segment: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new Refusal('malformed_jwt');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Refusal('malformed_jwt');
  return value as Record<string, unknown>;
}

/** jose hands out CryptoKeys; node:crypto verifies with KeyObjects (one conversion per key). */
const keyObjects = new WeakMap<object, KeyObject>();
function keyObjectOf(key: unknown): KeyObject {
  if (key instanceof KeyObject) return key;
  if (typeof key !== 'object' || key === null) throw new Refusal('malformed_jwt');
  let converted = keyObjects.get(key);
  if (!converted) {
    converted = KeyObject.from(key as Parameters<typeof KeyObject.from>[0]);
    keyObjects.set(key, converted);
  }
  return converted;
}

/** A compact JWS's three parts, and what its signature covers (header.payload, as sent). */
interface JwtParts {
  protectedHeader: string;
  payload: string;
  signature: string;
  signingInput: string;
}

function splitJwt(token: string): JwtParts {
  const dot1 = token.indexOf('.');
  const dot2 = token.indexOf('.', dot1 + 1);
  if (dot1 < 0 || dot2 < 0) throw new Refusal('malformed_jwt');
  return { protectedHeader: token.slice(0, dot1), payload: token.slice(dot1 + 1, dot2), signature: token.slice(dot2 + 1), signingInput: token.slice(0, dot2) };
}

export class JwtVerifier {
  readonly #options: { issuer: string; audience: string; algorithms: JwsAlgorithm[]; clockTolerance: number; clock: Clock };
  readonly #jwks: JwksCache;
  readonly #verified: BoundedCache<VerifiedToken>;
  readonly #headers = new BoundedCache<Record<string, unknown>>(16);

  constructor(
    options: { issuer: string; audience: string; algorithms: JwsAlgorithm[]; clockTolerance: number; clock: Clock; cacheSize: number },
    jwks: JwksCache,
  ) {
    this.#options = options;
    this.#jwks = jwks;
    this.#verified = new BoundedCache(options.cacheSize);
  }

  /**
   * What identifies a token in the cache: the token itself, or its SHA-256 when it is
   * long, so that the cache's memory stays bounded. A JWT cannot contain ':', so the
   * two kinds never collide.
   */
  static #identity(token: string): string {
    return token.length <= MAX_KEYED_TOKEN ? token : `sha256:${createHash('sha256').update(token).digest('base64url')}`;
  }

  /**
   * The key of an identity's cache slot: its last 32 characters (a JWT's signature
   * ends it). V8 hashes a string key over every character, about 1.3 µs for a fresh
   * 400-character JWT, paid by every lookup (measured on Node 20); a short key costs a
   * tenth of that, and a hit is confirmed by comparing the whole identity. Only tokens
   * that passed every check are stored, so a token that shares a slot key with a cached
   * one just misses and is verified in full.
   */
  static #slotKey(identity: string): string {
    return identity.length > SLOT_KEY_CHARS ? identity.slice(-SLOT_KEY_CHARS) : identity;
  }

  #lookup(identity: string): Principal | undefined {
    const entry = this.#verified.get(JwtVerifier.#slotKey(identity));
    return entry !== undefined && entry.identity === identity ? entry.principal : undefined;
  }

  /**
   * The principal of a token verified before and not yet expired, or undefined (the
   * caller then takes the full path, which also reports expiry). Lets the
   * authenticator answer a repeated token without parsing its header again.
   */
  cached(token: string): Principal | undefined {
    const cached = this.#lookup(JwtVerifier.#identity(token));
    return cached && this.#options.clock.now() < cached.expiresAt! + this.#options.clockTolerance ? cached : undefined;
  }

  /**
   * The whole verification done synchronously when the token's key is already known
   * (every token but the first few after a key-set fetch), or undefined when the key
   * set must be consulted first (then `verify`). The cold path then costs no promise:
   * the signature is most of its CPU, and each async hop was a measurable part of
   * the rest (bench/lib/sdk.mjs, cold against the node:crypto floor).
   */
  verifyNow(token: string): Principal | AuthErrorReason | undefined {
    const now = this.#options.clock.now();
    const identity = JwtVerifier.#identity(token);
    const cached = this.#lookup(identity);
    if (cached) {
      if (now < cached.expiresAt! + this.#options.clockTolerance) return cached;
      this.#verified.delete(JwtVerifier.#slotKey(identity));
      return 'expired';
    }
    let parts: JwtParts;
    let header: Record<string, unknown>;
    let selected: unknown;
    try {
      parts = splitJwt(token);
      header = this.#header(parts.protectedHeader);
      selected = this.#jwks.knownKey(header);
    } catch (error) {
      return reasonOf(error);
    }
    return selected === undefined ? undefined : this.#finish(identity, parts, header, selected, now);
  }

  async verify(token: string): Promise<Principal | AuthErrorReason> {
    const now = this.#options.clock.now();
    const known = this.verifyNow(token);
    if (known !== undefined) return known;
    try {
      const parts = splitJwt(token);
      const header = this.#header(parts.protectedHeader);
      // The key set decides: fetch, refresh, refetch on an unknown kid.
      const selected = await this.#jwks.getKey(header, { payload: parts.payload, signature: parts.signature, protected: parts.protectedHeader });
      return this.#finish(JwtVerifier.#identity(token), parts, header, selected, now);
    } catch (error) {
      return reasonOf(error);
    }
  }

  /** Signature, then claims, then the principal; a token that passes everything is cached. */
  #finish(identity: string, parts: JwtParts, header: Record<string, unknown>, selected: unknown, now: number): Principal | AuthErrorReason {
    let outcome: Principal | AuthErrorReason;
    try {
      const claims = this.#verifySignature(parts, header, selected);
      this.#checkClaims(header, claims, now);
      outcome = principalFromJwt(claims, this.#options.audience);
    } catch (error) {
      return reasonOf(error);
    }
    if (typeof outcome !== 'string') this.#verified.set(JwtVerifier.#slotKey(identity), { identity, principal: outcome });
    return outcome;
  }

  /**
   * The protected header, decoded and checked: an issuer signs with a handful of
   * headers (one per key and typ), so the last few decoded ones are kept by their
   * encoded form, which fully determines them.
   */
  #header(encoded: string): Record<string, unknown> {
    const known = this.#headers.get(encoded);
    if (known) return known;
    const header = decodeJsonObject(encoded);
    // No extension is understood (RFC 7515 §4.1.11), and the payload is always base64url.
    if (header.crit !== undefined || (header.b64 !== undefined && header.b64 !== true)) throw new Refusal('malformed_jwt');
    const alg = header.alg;
    if (typeof alg !== 'string' || alg.length === 0) throw new Refusal('malformed_jwt');
    if (!(this.#options.algorithms as string[]).includes(alg)) throw new Refusal('alg_not_allowed');
    if (encoded.length <= 512) this.#headers.set(encoded, Object.freeze(header));
    return header;
  }

  /** The signature, in jose's order after the header: key type, then node:crypto's verify; answers the claims. */
  #verifySignature(parts: JwtParts, header: Record<string, unknown>, selected: unknown): Record<string, unknown> {
    const { signingInput, payload, signature } = parts;
    const spec = SIGNATURES[header.alg as JwsAlgorithm];
    const key = keyObjectOf(selected);
    const details = key.asymmetricKeyDetails;
    if (key.type !== 'public' && key.type !== 'private') throw new Refusal('malformed_jwt');
    if (!spec.keyTypes.includes(key.asymmetricKeyType ?? '')) throw new Refusal('bad_signature');
    if (spec.curve && details?.namedCurve !== spec.curve) throw new Refusal('bad_signature');
    if (key.asymmetricKeyType?.startsWith('rsa') && (details?.modulusLength ?? 0) < 2048) throw new Refusal('malformed_jwt');
    const options = spec.pss
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: DIGEST_BYTES[spec.digest!]! }
      : spec.keyTypes[0] === 'ec'
        ? { key, dsaEncoding: 'ieee-p1363' as const }
        : key;
    let valid = false;
    try {
      valid = cryptoVerify(spec.digest, Buffer.from(signingInput, 'utf8'), options, Buffer.from(signature, 'base64url'));
    } catch {
      valid = false; // a signature of the wrong length, say
    }
    if (!valid) throw new Refusal('bad_signature');
    return decodeJsonObject(payload);
  }

  /** jose's JWT claim rules (validateClaimsSet) for the options this SDK sets. */
  #checkClaims(header: Record<string, unknown>, claims: Record<string, unknown>, now: number): void {
    const { issuer, audience, clockTolerance } = this.#options;
    if (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== 'at+jwt') throw new Refusal('wrong_typ');
    for (const claim of REQUIRED_CLAIMS) if (!(claim in claims)) throw new Refusal('invalid_claims');
    if (claims.iss !== issuer) throw new Refusal('wrong_issuer');
    const aud = claims.aud;
    if (!(typeof aud === 'string' ? aud === audience : Array.isArray(aud) && aud.includes(audience))) throw new Refusal('wrong_audience');
    if (claims.iat !== undefined && typeof claims.iat !== 'number') throw new Refusal('invalid_claims');
    if (claims.nbf !== undefined) {
      if (typeof claims.nbf !== 'number' || claims.nbf > now + clockTolerance) throw new Refusal('not_yet_valid');
    }
    if (claims.exp !== undefined) {
      if (typeof claims.exp !== 'number') throw new Refusal('invalid_claims');
      if (claims.exp <= now - clockTolerance) throw new Refusal('expired');
    }
  }
}

/** Maps our refusals and jose's (key set) errors to reasons. */
function reasonOf(error: unknown): AuthErrorReason {
  if (error instanceof Refusal) return error.reason;
  if (error instanceof UpstreamError) return 'jwks_unavailable';
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) return 'unknown_key';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'alg_not_allowed';
  return 'malformed_jwt';
}
