/**
 * Dynamic client registration (RFC 7591) at POST /register, and registration
 * management (RFC 7592) at GET/PUT/DELETE /register/{client_id} with the
 * registration access token. Off unless the `registration:` block enables it: until
 * then every one of these answers 404, as if the endpoint did not exist.
 *
 * A registered client is third-party and unverified: it can never be first-party,
 * sandboxed or use implicit flows, always uses PKCE, and its users are always asked
 * for consent. Its secret and registration access token are stored only as hashes.
 */
import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import { mintTokenString, TOKEN_PREFIXES, checkTokenString } from '../crypto/token-string.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import { invalidRequest, notFound, OAuthError } from '../errors.js';
import type { Client, ClientSecret } from '../model.js';
import type { ApiRepository, ClientRepository } from '../ports/storage.js';
import type { CatalogWriter } from '../catalog-writer.js';
import type { EngineRequest, EngineResponse } from '../request.js';
import { parseClientMetadata, type ParsedMetadata } from './client-metadata.js';
import type { InitialAccessTokens } from './initial-access-tokens.js';
import type { RegistrationPolicy } from './registration-policy.js';
import type { RegistrationThrottle } from './registration-throttle.js';

export interface RegistrationDependencies {
  issuer: string;
  store: Pick<ApiRepository, 'listApis'> & Pick<ClientRepository, 'getClient'>;
  hasher: SecretHasher;
  clock: Clock;
  audit: AuditLog;
  policy: RegistrationPolicy;
  throttle: RegistrationThrottle;
  initialAccessTokens: InitialAccessTokens;
  supportedGrants: () => readonly string[];
  /** Writes clients and drops cached copies here and on every instance. */
  clients: Pick<CatalogWriter, 'saveClient'>;
  /** Deletes the client and revokes its tokens and grants (tokens/client-revocation.ts). */
  removeClient: (clientId: string, origin: { ip?: string; requestId?: string }) => Promise<{ tokens: number; consents: number }>;
}

/** Fields a client may not set in a PUT (RFC 7592 §2.2): the server's own. */
const SERVER_FIELDS = ['registration_access_token', 'registration_client_uri', 'client_id_issued_at', 'client_secret_expires_at'];

const bearerChallenge = (error?: string, description?: string) =>
  ['Bearer realm="tessera"', error && `error="${error}"`, description && `error_description="${description}"`].filter(Boolean).join(', ');

/** RFC 6750 §3.1: 401, and the challenge names the error only when a token was sent. */
export const invalidToken = (description: string, sent = true) =>
  new OAuthError('invalid_token', 401, description, { 'WWW-Authenticate': sent ? bearerChallenge('invalid_token', description) : bearerChallenge() });

function bearerToken(request: EngineRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer +([\x21-\x7e]+)$/i.exec(header);
  if (!match) throw invalidToken('the Authorization header must be "Bearer <token>"');
  return match[1];
}

export function registrationEndpoints(deps: RegistrationDependencies) {
  const { policy, store, hasher, clock, audit, throttle } = deps;
  const clientUri = (clientId: string) => `${deps.issuer}/register/${encodeURIComponent(clientId)}`;
  const ensureEnabled = () => {
    if (!policy.enabled) throw notFound();
  };

  async function parse(body: unknown): Promise<ParsedMetadata> {
    return parseClientMetadata(body, { policy, apis: await store.listApis(), issuer: deps.issuer, supportedGrants: deps.supportedGrants() });
  }

  function newSecret(now: number): { secret: string; stored: ClientSecret } {
    const secret = randomBytes(32).toString('base64url');
    const stored: ClientSecret = { hash: hasher.hash(secret), createdAt: now };
    if (policy.secretLifetime !== undefined) stored.expiresAt = now + policy.secretLifetime;
    return { secret, stored };
  }

  /** RFC 7591 §3.2.1: the client's metadata with the server's fields. */
  function describe(client: Client, extra: { secret?: string; registrationToken?: string }): Record<string, unknown> {
    const registration = client.registration!;
    const usesSecret = client.tokenEndpointAuthMethod === 'client_secret_basic' || client.tokenEndpointAuthMethod === 'client_secret_post';
    const secretExpiry = client.secrets.at(-1)?.expiresAt ?? 0;
    return {
      client_id: client.clientId,
      ...(extra.secret ? { client_secret: extra.secret } : {}),
      client_id_issued_at: registration.registeredAt,
      ...(usesSecret ? { client_secret_expires_at: secretExpiry } : {}),
      ...(extra.registrationToken ? { registration_access_token: extra.registrationToken } : {}),
      registration_client_uri: clientUri(client.clientId),
      ...registration.metadata,
    };
  }

  /** Finds the client a registration access token is for; 401 invalid_token for anything else (RFC 7592 §3). */
  async function authorizedClient(request: EngineRequest): Promise<Client> {
    ensureEnabled();
    await throttle.checkTokenGuessing(request.ip);
    const token = bearerToken(request);
    if (token === undefined) throw invalidToken('a registration access token is required', false);
    const clientId = request.pathParams?.clientId ?? '';
    const client = checkTokenString(token) === TOKEN_PREFIXES.registration_access_token ? await store.getClient(clientId) : undefined;
    if (!client?.registration || !hasher.matches(token, client.registration.accessTokenHash)) {
      await throttle.recordBadToken(request.ip);
      throw invalidToken('the registration access token is invalid, or the client does not exist');
    }
    return client;
  }

  const origin = (request: EngineRequest) => ({ ...(request.ip ? { ip: request.ip } : {}), ...(request.requestId ? { requestId: request.requestId } : {}) });

  return {
    /** POST /register (RFC 7591 §3.1). */
    async register(request: EngineRequest): Promise<EngineResponse> {
      ensureEnabled();
      await throttle.admitRegistration(request.ip);
      await throttle.checkTokenGuessing(request.ip);
      const token = bearerToken(request);
      if (token === undefined && policy.initialAccessToken === 'required') throw invalidToken('an initial access token is required to register', false);
      if (request.json === undefined) throw invalidRequest('send the client metadata as application/json');
      const parsed = await parse(request.json);
      let initialAccessTokenId: string | undefined;
      if (token !== undefined) {
        initialAccessTokenId = await deps.initialAccessTokens.use(token);
        if (initialAccessTokenId === undefined) {
          await throttle.recordBadToken(request.ip);
          audit.record({ type: 'client.registered', outcome: 'failure', reason: 'invalid_token', ...origin(request) });
          throw invalidToken('the initial access token is invalid, expired or used');
        }
      }
      const now = clock.now();
      const clientId = `reg_${randomBytes(16).toString('base64url')}`;
      const registrationToken = mintTokenString(TOKEN_PREFIXES.registration_access_token);
      const secret = parsed.fields.type === 'confidential' && parsed.fields.tokenEndpointAuthMethod !== 'private_key_jwt' ? newSecret(now) : undefined;
      const client: Client = {
        clientId,
        ...parsed.fields,
        secrets: secret ? [secret.stored] : [],
        introspection: 'own',
        requirePkce: true,
        registration: {
          registeredAt: now,
          accessTokenHash: hasher.hash(registrationToken),
          metadata: parsed.metadata,
          ...(initialAccessTokenId ? { initialAccessTokenId } : {}),
        },
      };
      await deps.clients.saveClient(client);
      audit.record({
        type: 'client.registered',
        outcome: 'success',
        clientId,
        ...origin(request),
        details: {
          name: client.name,
          redirectUris: client.redirectUris,
          grantTypes: client.grantTypes,
          tokenEndpointAuthMethod: client.tokenEndpointAuthMethod,
          ...(initialAccessTokenId ? { initialAccessToken: initialAccessTokenId } : {}),
        },
      });
      return {
        status: 201,
        headers: { Location: clientUri(clientId) },
        body: describe(client, { ...(secret ? { secret: secret.secret } : {}), registrationToken }),
      };
    },

    /** GET /register/{client_id} (RFC 7592 §2.1). */
    async read(request: EngineRequest): Promise<EngineResponse> {
      const client = await authorizedClient(request);
      return { status: 200, body: describe(client, {}) };
    },

    /** PUT /register/{client_id} (RFC 7592 §2.2): replaces the metadata, checked as at registration. */
    async update(request: EngineRequest): Promise<EngineResponse> {
      const client = await authorizedClient(request);
      if (request.json === undefined || typeof request.json !== 'object' || request.json === null || Array.isArray(request.json)) {
        throw invalidRequest('send the client metadata as a JSON object');
      }
      const body = request.json as Record<string, unknown>;
      if (body.client_id !== client.clientId) throw invalidRequest('client_id must be sent and equal the registered one');
      const forbidden = SERVER_FIELDS.filter((f) => f in body);
      if (forbidden.length > 0) throw invalidRequest(`${forbidden.join(', ')} must not be sent`);
      if (
        body.client_secret !== undefined &&
        (typeof body.client_secret !== 'string' || !client.secrets.some((s) => hasher.matches(body.client_secret as string, s.hash)))
      ) {
        throw invalidRequest('client_secret does not match the one issued');
      }
      const parsed = await parse(body);
      const now = clock.now();
      const usedSecret = client.secrets.length > 0;
      const needsSecret = parsed.fields.tokenEndpointAuthMethod === 'client_secret_basic' || parsed.fields.tokenEndpointAuthMethod === 'client_secret_post';
      // A client that starts using a secret gets one now; one that stops has its secrets removed.
      const secret = needsSecret && !usedSecret ? newSecret(now) : undefined;
      const {
        jwks: _j,
        jwksUri: _u,
        postLogoutRedirectUris: _p,
        idTokenSignedResponseAlg: _a,
        backchannelLogoutUri: _b,
        backchannelLogoutSessionRequired: _s,
        ...kept
      } = client;
      const updated: Client = {
        ...kept,
        ...parsed.fields,
        secrets: needsSecret ? (secret ? [secret.stored] : client.secrets) : [],
        registration: { ...client.registration!, metadata: parsed.metadata },
      };
      await deps.clients.saveClient(updated);
      audit.record({
        type: 'client.registration_updated',
        outcome: 'success',
        clientId: client.clientId,
        ...origin(request),
        details: { name: updated.name, redirectUris: updated.redirectUris, grantTypes: updated.grantTypes },
      });
      return { status: 200, body: describe(updated, secret ? { secret: secret.secret } : {}) };
    },

    /**
     * DELETE /register/{client_id} (RFC 7592 §2.3): the client, its secret and this
     * token stop working, and so do the tokens and grants it was given (§2.3: the
     * server "SHOULD" invalidate them; Tessera always does).
     */
    async remove(request: EngineRequest): Promise<EngineResponse> {
      const client = await authorizedClient(request);
      const { tokens, consents } = await deps.removeClient(client.clientId, origin(request));
      audit.record({
        type: 'client.registration_deleted',
        outcome: 'success',
        clientId: client.clientId,
        ...origin(request),
        details: { name: client.name, tokens, consents },
      });
      return { status: 204 };
    },
  };
}
