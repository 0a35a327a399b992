/**
 * private_key_jwt (RFC 7523 §3, OIDC Core §9): the client signs a JWT with its own
 * key. Checked: signature against the client's registered keys, iss = sub = client_id,
 * exp present and within the configured lifetime (RFC 7523 sets no maximum; Authlib
 * signs for an hour by default), and a jti never seen before, remembered until the
 * assertion expires (replay protection through the shared store).
 *
 * The audience: by default our issuer, the token endpoint or the endpoint called, and
 * an `aud` array must name nothing else (an assertion also addressed to another server
 * could be replayed there or here: the 2025 audience-injection advisory). In `issuer`
 * mode (FAPI 2.0) only the issuer itself, as a single value, is accepted.
 */
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { invalidClient } from '../errors.js';
import type { Client } from '../model.js';
import type { ReplayRepository } from '../ports/storage.js';

/** Assertions living longer are refused: a long-lived assertion is a bearer credential. */
export const DEFAULT_MAX_ASSERTION_LIFETIME = 3600;
const CLOCK_TOLERANCE = 30;

export type AssertionAudienceRule = 'issuer-or-endpoint' | 'issuer';

export interface AssertionPolicy {
  /** Longest lifetime (exp - iat, and exp - now) accepted, in seconds. */
  maxLifetime: number;
  audience: AssertionAudienceRule;
}

export const DEFAULT_ASSERTION_POLICY: AssertionPolicy = { maxLifetime: DEFAULT_MAX_ASSERTION_LIFETIME, audience: 'issuer-or-endpoint' };
const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];

export class PrivateKeyJwtVerifier {
  readonly #remote = new Map<string, JWTVerifyGetKey>();

  private readonly replay: ReplayRepository;
  private readonly issuer: string;
  private readonly policy: AssertionPolicy;

  constructor(replay: ReplayRepository, issuer: string, policy: AssertionPolicy = DEFAULT_ASSERTION_POLICY) {
    this.replay = replay;
    this.issuer = issuer;
    this.policy = policy;
  }

  /** Why `aud` is refused, if it is. */
  #audienceProblem(aud: unknown, endpointUrl: string): string | undefined {
    if (this.policy.audience === 'issuer') {
      return aud === this.issuer ? undefined : `aud must be the issuer ${this.issuer}, as a single value`;
    }
    const accepted = new Set([this.issuer, `${this.issuer.replace(/\/$/, '')}/token`, endpointUrl]);
    const values = Array.isArray(aud) ? aud : [aud];
    if (values.length === 0 || !values.every((v) => typeof v === 'string' && accepted.has(v))) {
      return 'aud must be the issuer or this endpoint, and name no other audience';
    }
    return undefined;
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
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(assertion, this.#keysFor(client), {
        issuer: client.clientId,
        subject: client.clientId,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE,
        currentDate: new Date(now * 1000),
        requiredClaims: ['exp', 'jti', 'aud'],
      }));
    } catch (error) {
      const reason = error instanceof joseErrors.JOSEError ? error.message : 'unverifiable';
      throw invalidClient(`client_assertion rejected: ${reason}`);
    }
    const audienceProblem = this.#audienceProblem(payload.aud, endpointUrl);
    if (audienceProblem) throw invalidClient(`client_assertion rejected: ${audienceProblem}`);
    const exp = payload.exp!;
    const { maxLifetime } = this.policy;
    if (exp - (payload.iat ?? now) > maxLifetime || exp - now > maxLifetime + CLOCK_TOLERANCE) {
      throw invalidClient(`client_assertion must expire within ${maxLifetime} seconds`);
    }
    const fresh = await this.replay.useOnce(`client_assertion:${client.clientId}:${payload.jti}`, exp + CLOCK_TOLERANCE, now);
    if (!fresh) throw invalidClient('client_assertion jti has already been used');
  }
}
