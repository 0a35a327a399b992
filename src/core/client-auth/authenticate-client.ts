/**
 * Authenticates the client of a token, introspection or revocation request with the
 * method it registered, and nothing else. Every failure is `invalid_client` with a
 * reason; the reason never says whether the client id exists. Failures are audited
 * (`client.authentication_failed`) with the client id presented, never the secret,
 * and counted by the throttle, which refuses a client id or address with too many
 * recent failures before checking anything (429 with Retry-After).
 */
import type { AuditLog } from '../audit/audit-log.js';
import { requestOrigin } from '../audit/request-origin.js';
import type { Catalog } from '../catalog.js';
import type { Clock } from '../clock.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import { invalidClient, OAuthError, tooManyAttempts } from '../errors.js';
import type { ClientAuthThrottle } from './client-auth-throttle.js';
import type { Client } from '../model.js';
import type { EngineRequest } from '../request.js';
import type { PrivateKeyJwtVerifier } from './private-key-jwt.js';
import { type PresentedCredentials, readPresentedCredentials } from './presented-credentials.js';
import { VerifiedSecrets } from './verified-secrets.js';

/** Compared against when the client is unknown, so timing does not reveal which ids exist. */
const DECOY_HASH = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export class ClientAuthenticator {
  private readonly catalog: Catalog;
  private readonly hasher: SecretHasher;
  private readonly privateKeyJwt: PrivateKeyJwtVerifier;
  private readonly clock: Clock;
  private readonly audit: AuditLog;
  private readonly throttle: ClientAuthThrottle;
  readonly #verified = new VerifiedSecrets();

  constructor(catalog: Catalog, hasher: SecretHasher, privateKeyJwt: PrivateKeyJwtVerifier, clock: Clock, audit: AuditLog, throttle: ClientAuthThrottle) {
    this.catalog = catalog;
    this.hasher = hasher;
    this.privateKeyJwt = privateKeyJwt;
    this.clock = clock;
    this.audit = audit;
    this.throttle = throttle;
  }

  async authenticate(request: EngineRequest): Promise<Client> {
    // Read once: the throttle and the audit need the id, the check needs the rest.
    let presented: PresentedCredentials | undefined;
    let malformed: unknown;
    try {
      presented = readPresentedCredentials(request);
    } catch (error) {
      malformed = error;
    }
    const clientId = presented?.clientId.slice(0, 200);
    const wait = await this.throttle.waitFor(clientId, request.ip);
    if (wait > 0) {
      this.audit.record({
        type: 'client.authentication_failed',
        outcome: 'failure',
        ...(clientId !== undefined ? { clientId } : {}),
        reason: 'throttled: too many failed client authentications',
        ...requestOrigin(request),
        details: { endpoint: endpointPath(request.endpointUrl) },
      });
      throw tooManyAttempts(Math.ceil(wait));
    }
    try {
      if (presented === undefined) throw malformed;
      return await this.#authenticate(request, presented);
    } catch (error) {
      if (error instanceof OAuthError && error.error === 'invalid_client') {
        await this.throttle.recordFailure(clientId, request.ip);
        this.audit.record({
          type: 'client.authentication_failed',
          outcome: 'failure',
          ...(clientId !== undefined ? { clientId } : {}),
          reason: `invalid_client: ${error.description}`,
          ...requestOrigin(request),
          details: { endpoint: endpointPath(request.endpointUrl) },
        });
      }
      throw error;
    }
  }

  async #authenticate(request: EngineRequest, presented: PresentedCredentials): Promise<Client> {
    const usedBasic = presented.method === 'client_secret_basic';
    const client = await this.catalog.client(presented.clientId);
    if (!client) {
      if ('secret' in presented) this.hasher.matches(presented.secret, DECOY_HASH);
      throw invalidClient('client authentication failed', usedBasic);
    }
    if (client.tokenEndpointAuthMethod !== presented.method) {
      throw invalidClient(`client is registered for ${client.tokenEndpointAuthMethod} authentication, not ${presented.method}`, usedBasic);
    }
    const now = this.clock.now();
    switch (presented.method) {
      case 'client_secret_basic':
      case 'client_secret_post': {
        if (this.#verified.matches(client, presented.secret, now)) return client;
        const valid = client.secrets.find((s) => (s.expiresAt === undefined || s.expiresAt > now) && this.hasher.matches(presented.secret, s.hash));
        if (!valid) throw invalidClient('client authentication failed', usedBasic);
        this.#verified.remember(client, presented.secret, valid);
        return client;
      }
      case 'private_key_jwt':
        await this.privateKeyJwt.verify(client, presented.assertion, request.endpointUrl, now);
        return client;
      case 'none':
        return client;
    }
  }
}

/** The client id a request claims, whether or not it authenticates (for the audit log). */
export function presentedClientId(request: EngineRequest): string | undefined {
  try {
    return readPresentedCredentials(request).clientId.slice(0, 200);
  } catch {
    return undefined;
  }
}

function endpointPath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
