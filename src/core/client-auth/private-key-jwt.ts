/**
 * private_key_jwt (RFC 7523 §3, OIDC Core §9): the client signs a short-lived JWT
 * with its own key. Checked: signature against the client's registered keys,
 * iss = sub = client_id, our issuer or this endpoint in aud, exp present and near,
 * and a jti never seen before (replay protection through the shared store).
 */
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { invalidClient } from '../errors.js';
import type { Client } from '../model.js';
import type { ReplayRepository } from '../ports/storage.js';

/** An assertion that claims to live longer than this is refused: it would be a bearer credential. */
const MAX_ASSERTION_LIFETIME = 300;
const CLOCK_TOLERANCE = 30;
const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];

export class PrivateKeyJwtVerifier {
  readonly #remote = new Map<string, JWTVerifyGetKey>();

  private readonly replay: ReplayRepository;
  private readonly issuer: string;

  constructor(replay: ReplayRepository, issuer: string) {
    this.replay = replay;
    this.issuer = issuer;
  }

  #keysFor(client: Client): JWTVerifyGetKey {
    if (client.jwks) return createLocalJWKSet(client.jwks as Parameters<typeof createLocalJWKSet>[0]);
    const uri = client.jwksUri!;
    let remote = this.#remote.get(uri);
    if (!remote) {
      remote = createRemoteJWKSet(new URL(uri), { timeoutDuration: 3000, cooldownDuration: 30_000 });
      this.#remote.set(uri, remote);
    }
    return remote;
  }

  async verify(client: Client, assertion: string, endpointUrl: string, now: number): Promise<void> {
    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, this.#keysFor(client), {
        issuer: client.clientId,
        subject: client.clientId,
        audience: [this.issuer, endpointUrl, `${this.issuer.replace(/\/$/, '')}/token`],
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE,
        currentDate: new Date(now * 1000),
        requiredClaims: ['exp', 'jti'],
      }));
    } catch (error) {
      const reason = error instanceof joseErrors.JOSEError ? error.message : 'unverifiable';
      throw invalidClient(`client_assertion rejected: ${reason}`);
    }
    const exp = payload.exp!;
    if (exp - (payload.iat ?? now) > MAX_ASSERTION_LIFETIME || exp - now > MAX_ASSERTION_LIFETIME + CLOCK_TOLERANCE) {
      throw invalidClient(`client_assertion must expire within ${MAX_ASSERTION_LIFETIME} seconds`);
    }
    const fresh = await this.replay.useOnce(`client_assertion:${client.clientId}:${payload.jti}`, exp + CLOCK_TOLERANCE, now);
    if (!fresh) throw invalidClient('client_assertion jti has already been used');
  }
}
