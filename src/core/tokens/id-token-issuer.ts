/**
 * ID tokens (OpenID Connect Core §2), RS256 by default, or what the client registered
 * (`idTokenSignedResponseAlg`: ES256, EdDSA). at_hash and c_hash bind the ID token to
 * the access token and code issued beside it (§3.3.2.11): the left half of the hash
 * of the ASCII value, base64url, with the signature's hash: SHA-256 for RS256 and
 * ES256, SHA-512 for EdDSA over Ed25519 (errata set 2).
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { KeyRing } from '../keys/key-ring.js';
import type { SigningAlg, User } from '../model.js';
import { authenticationClaims } from './access-token-issuer.js';
import { userClaims } from './user-claims.js';

export const ID_TOKEN_TTL = 3600;

export function halfHash(value: string, alg: SigningAlg = 'RS256'): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256')
    .update(value, 'ascii')
    .digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

export interface IdTokenRequest {
  user: User;
  /** The subject the client knows (a sandbox subject); the user's id by default. */
  subject?: string;
  clientId: string;
  authTime: number;
  /** How the user signed in (RFC 8176); with it, acr. */
  amr?: string[];
  sid?: string;
  nonce?: string;
  accessToken?: string;
  code?: string;
  /** The client's registered algorithm; the issuer's default otherwise. */
  alg?: SigningAlg;
  /** The client's mapped claims (tokens/claim-mapper.ts); never override the protocol's own. */
  mappedClaims?: Record<string, unknown>;
  /** When no access token is issued, the scope's claims go in the ID token itself. */
  claimsFromScopes?: string[];
}

export class IdTokenIssuer {
  readonly #issuer: string;
  readonly #keys: KeyRing;
  readonly #clock: Clock;
  readonly #alg: SigningAlg;

  constructor(issuer: string, keys: KeyRing, clock: Clock, alg: SigningAlg = 'RS256') {
    this.#issuer = issuer;
    this.#keys = keys;
    this.#clock = clock;
    this.#alg = alg;
  }

  issue(request: IdTokenRequest): string {
    const iat = this.#clock.now();
    const alg = request.alg ?? this.#alg;
    const claims: Record<string, unknown> = {
      ...request.mappedClaims,
      iss: this.#issuer,
      sub: request.subject ?? request.user.id,
      aud: request.clientId,
      exp: iat + ID_TOKEN_TTL,
      iat,
      ...authenticationClaims({ authTime: request.authTime, amr: request.amr ?? [] }),
    };
    if (request.nonce !== undefined) claims.nonce = request.nonce;
    if (request.sid !== undefined) claims.sid = request.sid;
    if (request.accessToken !== undefined) claims.at_hash = halfHash(request.accessToken, alg);
    if (request.code !== undefined) claims.c_hash = halfHash(request.code, alg);
    if (request.claimsFromScopes) Object.assign(claims, userClaims(request.user, request.claimsFromScopes));
    return this.#keys.signer(alg).sign('JWT', claims);
  }
}
