/**
 * The OAuth engine, assembled: storage, keys, client authentication, grants and
 * endpoints. It speaks EngineRequest/EngineResponse and knows nothing of HTTP
 * servers or database drivers; src/http binds it to node:http.
 */
import type { AuditActor } from './audit/audit-event.js';
import { AuditLog, type AuditLogOptions } from './audit/audit-log.js';
import { Catalog } from './catalog.js';
import { CatalogWriter } from './catalog-writer.js';
import { NotFoundError } from './errors.js';
import { ClientAuthenticator } from './client-auth/authenticate-client.js';
import { ClientAuthThrottle } from './client-auth/client-auth-throttle.js';
import { DEFAULT_ASSERTION_POLICY, PrivateKeyJwtVerifier, type AssertionPolicy } from './client-auth/private-key-jwt.js';
import { systemClock, type Clock } from './clock.js';
import { applyConfig, type ApplySummary } from './config/apply.js';
import type { ConfigFile } from './config/schema.js';
import { deriveKeys } from './crypto/master-key.js';
import { SecretHasher } from './crypto/secret-hasher.js';
import { apiCallsEndpoint } from './endpoints/api-calls.js';
import { discoveryDocument } from './endpoints/discovery.js';
import { deviceAuthorizationEndpoint } from './endpoints/device-authorization.js';
import { deviceVerificationEndpoint } from './endpoints/device-verification.js';
import { DEFAULT_DEVICE_POLICY, type DevicePolicy } from './device/device-policy.js';
import { UserCodeThrottle } from './device/user-code-throttle.js';
import { DeviceAuthorizationThrottle } from './device/device-authorization-throttle.js';
import { introspectionEndpoint } from './endpoints/introspect.js';
import { revocationEndpoint } from './endpoints/revoke.js';
import { tokenEndpoint } from './endpoints/token.js';
import { GRANTS, grantRegistry } from './grants/index.js';
import type { GrantHandler } from './grants/grant.js';
import { tokenExchangeGrant } from './grants/token-exchange.js';
import { KeyRing } from './keys/key-ring.js';
import { OwnJwtVerifier } from './keys/verify-own-jwt.js';
import { SIGNING_ALGS, type Api, type SigningAlg } from './model.js';
import { OIDC_SCOPES } from './authorize/authorization-request.js';
import { RESPONSE_TYPES } from './authorize/check-response-type.js';
import { authorizationEndpoint } from './endpoints/authorize.js';
import { pushedAuthorizationEndpoint } from './endpoints/pushed-authorization.js';
import { RequestObjectVerifier } from './authorize/request-objects.js';
import { DEFAULT_PUSHED_REQUEST_POLICY, PushedRequests, type PushedRequestPolicy } from './authorize/pushed-requests.js';
import { interactionEndpoints } from './endpoints/interaction.js';
import { logoutEndpoint } from './endpoints/logout.js';
import { userinfoEndpoint } from './endpoints/userinfo.js';
import type { FlowContext } from './interaction/flow-context.js';
import { PendingAuthorizations } from './interaction/pending-authorizations.js';
import { SessionStore } from './interaction/sessions.js';
import { BackchannelLogout, type BackchannelLogoutOptions } from './logout/backchannel-logout.js';
import { Housekeeping } from './housekeeping.js';
import { SignInThrottle } from './interaction/sign-in-throttle.js';
import { MemoryAttemptCounter } from './interaction/memory-attempt-counter.js';
import { LocalChangeFeed } from './changes/local-change-feed.js';
import type { AttemptCounter } from './ports/attempt-counter.js';
import type { Change, ChangeFeed } from './ports/change-feed.js';
import { IdTokenIssuer } from './tokens/id-token-issuer.js';
import { CredentialService, DEFAULT_CREDENTIAL_POLICY, type CredentialPolicy } from './credentials/credential-service.js';
import { UsageRecorder } from './credentials/usage-recorder.js';
import { DEFAULT_REFRESH_POLICY, RefreshTokenIssuer, type RefreshTokenPolicy } from './tokens/refresh-token-issuer.js';
import type { Store } from './ports/storage.js';
import type { Views } from './ports/views.js';
import type { EngineRequest, EngineResponse } from './request.js';
import { AccessTokenIssuer } from './tokens/access-token-issuer.js';
import { TokenInspector, type ActiveToken } from './tokens/token-inspector.js';
import { UserGrants } from './tokens/user-grants.js';
import { removeClient, type ClientRemoval, type RemovalOrigin } from './tokens/client-revocation.js';
import { AccountMail } from './mail/account-mail.js';
import type { MailOptions } from './mail/mail-context.js';
import { ClientMetadataDocuments, type ClientMetadataOptions } from './client-metadata/resolver.js';
import { ClaimMapper } from './tokens/claim-mapper.js';
import { ProviderSecrets } from './federation/provider-secret.js';
import { UpstreamClients } from './federation/upstream-client.js';
import { UpstreamSignIn } from './federation/upstream-sign-in.js';
import { upstreamEndpoints } from './endpoints/upstream.js';
import { secondFactorEndpoints } from './endpoints/second-factor.js';
import { FactorSecrets } from './mfa/factor-secrets.js';
import { NO_MFA_POLICY, type MfaPolicy } from './mfa/mfa-policy.js';
import { SecondFactors } from './mfa/second-factors.js';
import { SecondSteps } from './mfa/second-step.js';
import { InitialAccessTokens } from './registration/initial-access-tokens.js';
import { registrationEndpoints } from './registration/registration-endpoint.js';
import { REGISTRATION_DISABLED, type RegistrationPolicy } from './registration/registration-policy.js';
import { RegistrationThrottle } from './registration/registration-throttle.js';
import { DpopService, type DpopOptions } from './dpop/dpop-service.js';
import { DpopNonces } from './dpop/nonces.js';
import { DPOP_ALGS } from './dpop/proof.js';

export interface AuthorizationServerOptions {
  issuer: string;
  store: Store;
  masterKey: Buffer;
  /** The pages shown to people (sign-in, consent, errors, the account page): src/pages' `pageViews`. */
  views: Views;
  clock?: Clock;
  /**
   * How long APIs, clients and the key ring are cached in process before being re-read:
   * the bound on staleness when a change-feed message is lost.
   */
  cacheTtlSeconds?: number;
  /** How instances tell each other what changed (default: this process only). Closed with the engine. */
  changes?: ChangeFeed;
  /** Failed sign-in counters (default: in this process). */
  attempts?: AttemptCounter;
  /** Refresh-token lifetime and reuse grace period, in seconds. */
  refreshTokens?: Partial<RefreshTokenPolicy>;
  /** private_key_jwt: the longest assertion lifetime accepted, and which audiences. */
  clientAssertions?: Partial<AssertionPolicy>;
  /** Longest lifetime of personal and service access tokens, in seconds. */
  credentials?: Partial<CredentialPolicy>;
  /** How often last-use times are written (0: only on close). */
  usageFlushMs?: number;
  /** The audit queue's bounds and how it reports overflow (audit/audit-log.ts). */
  audit?: Omit<AuditLogOptions, 'repo' | 'now'>;
  /** Pushed authorization requests (RFC 9126): request_uri lifetime, and whether every client must push. */
  pushedRequests?: Partial<PushedRequestPolicy>;
  /** Mail: the transport and the flows that use it (mail/mail-context.ts). Without it, no flow sends mail. */
  mail?: MailOptions;
  /** The device flow (RFC 8628): device code lifetime and polling interval, in seconds. */
  deviceFlow?: Partial<DevicePolicy>;
  /**
   * Client ID metadata documents (off without it): a client_id that is an https URL is
   * fetched through `fetcher` and treated as a third-party client (client-metadata/).
   */
  clientMetadataDocuments?: ClientMetadataOptions;
  /** Who must sign in with a second factor besides users who have one (mfa/mfa-policy.ts); nobody by default. */
  mfa?: MfaPolicy;
  /** Dynamic client registration (RFC 7591/7592): the `registration:` block; closed by default. */
  registration?: RegistrationPolicy;
  /** DPoP (RFC 9449): the replay cache of proofs, their iat window, server nonces. */
  dpop?: DpopOptions;
  /** OIDC Back-Channel Logout (off without it): how logout tokens reach clients (logout/backchannel-logout.ts). */
  backchannelLogout?: BackchannelLogoutOptions;
}

/**
 * Keys for every algorithm Tessera signs with: ID tokens are RS256 by default (OpenID
 * Connect requires it) or ES256/EdDSA per client, access tokens ES256 by default.
 */
const BASE_ALGS: readonly SigningAlg[] = SIGNING_ALGS;
const DEFAULT_TOKEN_LIFETIME = 3600;

export type EndpointHandler = (request: EngineRequest) => Promise<EngineResponse>;

export class AuthorizationServer {
  readonly issuer: string;
  readonly store: Store;
  readonly clock: Clock;
  readonly hasher: SecretHasher;
  /** Encrypts and decrypts upstream providers' client secrets. */
  readonly providerSecrets: ProviderSecrets;
  readonly keys: KeyRing;
  readonly catalog: Catalog;
  /** Writes APIs and clients, and tells every instance's catalog: the only way they change at run time. */
  readonly catalogWriter: CatalogWriter;
  readonly credentials: CredentialService;
  readonly usage: UsageRecorder;
  /** The audit log: `record` events, `query`, `verify`, `exportJsonLines`, `prune`. */
  readonly audit: AuditLog;
  /** Deletes expired tokens, sessions and flow records: `start` it in a long-running server. */
  readonly housekeeping: Housekeeping;
  readonly endpoints: {
    token: EndpointHandler;
    introspect: EndpointHandler;
    revoke: EndpointHandler;
    authorize: EndpointHandler;
    pushedAuthorization: EndpointHandler;
    userinfo: EndpointHandler;
    logout: EndpointHandler;
    interaction: { show: EndpointHandler; login: EndpointHandler; consent: EndpointHandler };
    secondFactor: { show: EndpointHandler; submit: EndpointHandler };
    upstream: { startForAuthorization: EndpointHandler; startForAccount: EndpointHandler; startLink: EndpointHandler; callback: EndpointHandler };
    apiCalls: EndpointHandler;
    /** RFC 8628: the device authorization endpoint, and the verification page (GET and POST). */
    deviceAuthorization: EndpointHandler;
    deviceVerification: EndpointHandler;
    registration: { register: EndpointHandler; read: EndpointHandler; update: EndpointHandler; remove: EndpointHandler };
  };
  /** Sign-in sessions: find, list per user, end one or all. */
  readonly sessions: SessionStore;
  /** OIDC Back-Channel Logout, when a transport was given: logout tokens to the clients a session signed into. */
  readonly backchannelLogout: BackchannelLogout | undefined;
  /** Users' second factors (TOTP, recovery codes) and the MFA policy. */
  readonly mfa: SecondFactors;
  /** The grants users gave apps: list per user, revoke one. */
  readonly grants: UserGrants;
  /** What the browser pages (sign-in, consent, the account page) work with. */
  readonly flow: FlowContext;
  readonly changes: ChangeFeed;
  readonly attempts: AttemptCounter;
  /** Password reset, email verification, invitations and sign-up by mail; absent without mail settings. */
  readonly mail: AccountMail | undefined;
  /** Who may register clients, and what they may ask for (closed unless enabled). */
  readonly registration: RegistrationPolicy;
  /** The tokens that let their holders register clients (RFC 7591 §3). */
  readonly initialAccessTokens: InitialAccessTokens;
  /** DPoP proofs and nonces, for the endpoints that take them. */
  readonly dpop: DpopService;
  readonly #grants: Map<string, GrantHandler>;
  readonly #inspector: TokenInspector;
  readonly #unsubscribe: () => void;
  readonly #keyRefresh: NodeJS.Timeout;

  private constructor(options: AuthorizationServerOptions) {
    this.issuer = normalizeIssuer(options.issuer);
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    const derived = deriveKeys(options.masterKey);
    this.hasher = new SecretHasher(derived.secretHashKey);
    this.providerSecrets = new ProviderSecrets(derived.secretEncryptionKey);
    const cacheTtl = options.cacheTtlSeconds ?? 1;
    this.catalog = new Catalog(this.store, { ttlSeconds: cacheTtl });
    this.changes = options.changes ?? new LocalChangeFeed();
    this.attempts = options.attempts ?? new MemoryAttemptCounter();
    this.catalogWriter = new CatalogWriter({ store: this.store, catalog: this.catalog, changes: this.changes, clock: this.clock, ensureKeys: () => this.ensureKeys() });
    // A frozen clock (tests) freezes the audit log's times too.
    const clock = this.clock;
    this.audit = new AuditLog({ ...options.audit, repo: this.store, now: clock === systemClock ? Date.now : () => clock.now() * 1000 });
    this.housekeeping = new Housekeeping(this.store, this.clock);
    if (options.clientMetadataDocuments) {
      // By default such clients may ask users for any API's scopes but the management API's (<issuer>/api/v1).
      const everyApi = async () => {
        const apis = (await this.store.listApis()).filter((api) => api.identifier !== `${this.issuer}/api/v1`);
        return Object.fromEntries(apis.map((api) => [api.identifier, api.scopes.map((s) => s.name)]));
      };
      this.catalog.useClientMetadataDocuments(new ClientMetadataDocuments(options.clientMetadataDocuments, this.clock, everyApi, this.audit));
    }
    this.keys = new KeyRing({
      repo: this.store,
      keyEncryptionKey: derived.keyEncryptionKey,
      clock: this.clock,
      retentionSeconds: () => this.#longestTokenLifetime(),
    });
    this.#unsubscribe = this.changes.subscribe((change) => this.#onChange(change));
    // The safety net for the key ring, as the TTL is for the catalog.
    this.#keyRefresh = setInterval(() => void this.keys.reload().catch(() => {}), cacheTtl * 1000);
    this.#keyRefresh.unref();
    const clientKeys = new PrivateKeyJwtVerifier(this.store, this.issuer, { ...DEFAULT_ASSERTION_POLICY, ...options.clientAssertions });
    const clientAuth = new ClientAuthenticator(
      this.catalog,
      this.hasher,
      clientKeys,
      this.clock,
      this.audit,
      new ClientAuthThrottle(this.clock, this.attempts),
    );
    const jwts = new OwnJwtVerifier(this.keys);
    this.dpop = new DpopService(
      options.dpop?.replay ?? this.store,
      options.dpop?.nonce ? new DpopNonces(this.hasher) : undefined,
      options.dpop?.iatWindow !== undefined ? { iatWindow: options.dpop.iatWindow } : {},
    );
    const claims = new ClaimMapper(this.store);
    const accessTokens = new AccessTokenIssuer(this.issuer, this.keys, this.store, this.hasher, this.clock, claims);
    this.usage = new UsageRecorder(this.store, options.usageFlushMs ?? 30_000);
    this.credentials = new CredentialService({
      store: this.store,
      hasher: this.hasher,
      clock: this.clock,
      catalog: this.catalog,
      policy: { ...DEFAULT_CREDENTIAL_POLICY, ...options.credentials },
      audit: this.audit,
    });
    const inspector = new TokenInspector({ issuer: this.issuer, jwts, store: this.store, hasher: this.hasher, clock: this.clock, usage: this.usage });
    this.#inspector = inspector;
    this.#grants = grantRegistry([...GRANTS, tokenExchangeGrant(inspector)]);
    const idTokens = new IdTokenIssuer(this.issuer, this.keys, this.clock);
    const refreshTokens = new RefreshTokenIssuer(this.store, this.hasher, this.clock, { ...DEFAULT_REFRESH_POLICY, ...options.refreshTokens });
    const userinfoApi: Api = {
      identifier: `${this.issuer}/userinfo`,
      name: 'UserInfo',
      scopes: [],
      format: 'jwt',
      ttl: DEFAULT_TOKEN_LIFETIME,
      alg: 'ES256',
    };
    this.sessions = new SessionStore(this.store, this.hasher, this.clock);
    this.backchannelLogout = options.backchannelLogout
      ? new BackchannelLogout({ issuer: this.issuer, records: this.store, catalog: this.catalog, keys: this.keys, clock: this.clock, audit: this.audit }, options.backchannelLogout)
      : undefined;
    const backchannel = this.backchannelLogout;
    if (backchannel) this.sessions.onEnded((ended) => backchannel.sessionsEnded(ended));
    const throttle = new SignInThrottle(this.clock, this.attempts);
    this.mfa = new SecondFactors({
      label: new URL(this.issuer).host,
      store: this.store,
      hasher: this.hasher,
      clock: this.clock,
      audit: this.audit,
      throttle,
      secrets: new FactorSecrets(derived.secretEncryptionKey),
      policy: options.mfa ?? NO_MFA_POLICY,
    });
    const { store, clock: engineClock, hasher, audit, sessions, attempts } = this;
    this.mail = options.mail
      ? new AccountMail({ issuer: this.issuer, store, clock: engineClock, hasher, audit, sessions, attempts, throttle, outboxKey: derived.outboxKey }, options.mail)
      : undefined;
    const flow: FlowContext = {
      issuer: this.issuer,
      store: this.store,
      catalog: this.catalog,
      clock: this.clock,
      hasher: this.hasher,
      jwts,
      sessions: this.sessions,
      pending: new PendingAuthorizations(this.store, this.hasher, this.clock),
      requestObjects: new RequestObjectVerifier((client) => clientKeys.keysFor(client), this.issuer, this.clock),
      pushedRequests: new PushedRequests(this.store, this.hasher, this.clock, { ...DEFAULT_PUSHED_REQUEST_POLICY, ...options.pushedRequests }),
      throttle,
      signInLinks: {
        ...(this.mail?.features.passwordReset ? { forgotPassword: `${this.issuer}/password/forgot` } : {}),
        ...(this.mail?.features.signUp.enabled ? { signUp: `${this.issuer}/sign-up` } : {}),
      },
      accessTokens,
      idTokens,
      refreshTokens,
      userinfoApi,
      audit: this.audit,
      views: options.views,
      claims,
      upstream: new UpstreamSignIn({ issuer: this.issuer, store: this.store, hasher: this.hasher, clock: this.clock, clients: new UpstreamClients(this.providerSecrets) }),
      mfa: this.mfa,
      secondSteps: new SecondSteps(this.store, this.hasher, this.clock),
      ...(this.backchannelLogout ? { backchannelLogout: this.backchannelLogout } : {}),
    };
    this.flow = flow;
    this.registration = options.registration ?? REGISTRATION_DISABLED;
    this.initialAccessTokens = new InitialAccessTokens(this.store, this.hasher, this.clock);
    this.grants = new UserGrants({ store: this.store, clock: this.clock, audit: this.audit, longestLifetime: () => refreshTokens.policy.ttl });
    this.endpoints = {
      token: tokenEndpoint(this.#grants, clientAuth, {
        catalog: this.catalog,
        accessTokens,
        clock: this.clock,
        store: this.store,
        hasher: this.hasher,
        idTokens,
        refreshTokens,
        userinfoApi,
        audit: this.audit,
        claims,
      }, this.dpop),
      introspect: introspectionEndpoint(this.issuer, clientAuth, inspector, this.audit),
      revoke: revocationEndpoint(clientAuth, inspector, this.store, this.clock, refreshTokens.policy.ttl, this.audit),
      authorize: authorizationEndpoint(flow),
      pushedAuthorization: pushedAuthorizationEndpoint(flow, clientAuth, this.dpop),
      userinfo: userinfoEndpoint(this.store, inspector, this.catalog, claims, this.dpop, this.clock),
      logout: logoutEndpoint(flow),
      interaction: interactionEndpoints(flow),
      secondFactor: secondFactorEndpoints(flow),
      upstream: upstreamEndpoints(flow),
      apiCalls: apiCallsEndpoint(clientAuth, this.audit, { usage: this.usage, clock: this.clock }),
      deviceAuthorization: deviceAuthorizationEndpoint(clientAuth, {
        issuer: this.issuer,
        catalog: this.catalog,
        store: this.store,
        hasher: this.hasher,
        clock: this.clock,
        policy: { ...DEFAULT_DEVICE_POLICY, ...options.deviceFlow },
        throttle: new DeviceAuthorizationThrottle(this.clock, this.attempts),
        audit: this.audit,
      }),
      deviceVerification: deviceVerificationEndpoint(flow, new UserCodeThrottle(this.clock, this.attempts)),
      registration: registrationEndpoints({
        issuer: this.issuer,
        store: this.store,
        hasher: this.hasher,
        clock: this.clock,
        audit: this.audit,
        policy: this.registration,
        throttle: new RegistrationThrottle(this.clock, this.attempts, this.registration),
        initialAccessTokens: this.initialAccessTokens,
        supportedGrants: () => [...this.#grants.keys()],
        clients: this.catalogWriter,
        removeClient: (clientId, origin) => this.removeClient(clientId, { ...origin, via: 'registration' }),
      }),
    };
  }

  /** Migrates the store, makes sure signing keys exist, and loads them. */
  static async create(options: AuthorizationServerOptions): Promise<AuthorizationServer> {
    const server = new AuthorizationServer(options);
    await server.store.migrate();
    await server.ensureKeys();
    return server;
  }

  /** Creates a current and a next key for every algorithm in use; returns the kids created. */
  async ensureKeys(): Promise<string[]> {
    const apis = await this.store.listApis();
    const created = await this.keys.ensure([...BASE_ALGS, ...apis.map((a) => a.alg)]);
    if (created.length > 0) await this.changes.publish('keys');
    return created.map((k) => k.kid);
  }

  /** Upserts a configuration; each entity that changed is audited with a diff (never a secret). */
  async apply(config: ConfigFile, actor: AuditActor = { type: 'system', id: 'config' }): Promise<ApplySummary> {
    const summary = await applyConfig(this.store, config, this.hasher, this.clock, this.providerSecrets);
    for (const change of summary.changes) {
      this.audit.record({ type: 'management.changed', outcome: 'success', actor, details: { ...change, source: 'config' } });
    }
    await this.catalogWriter.changed();
    return summary;
  }

  /** Rotates signing keys (keys/key-ring.ts) and audits each rotation. */
  async rotateKeys(algs?: SigningAlg[], actor: AuditActor = { type: 'system', id: 'keys' }) {
    const rotated = await this.keys.rotate(algs);
    await this.changes.publish('keys');
    for (const r of rotated) {
      this.audit.record({ type: 'key.rotated', outcome: 'success', actor, details: { alg: r.alg, current: r.current, next: r.next } });
    }
    return rotated;
  }

  /**
   * After APIs or clients were written straight to the store (tests, tools): what
   * `catalogWriter` does after each of its writes. Write through `catalogWriter` instead.
   */
  afterChange(): Promise<void> {
    return this.catalogWriter.changed();
  }

  #onChange(change: Change): void {
    if (change.kind === 'resync') {
      this.catalog.invalidate();
      void this.keys.reload().catch(() => {});
    } else if (change.topic === 'keys') {
      void this.keys.reload().catch(() => {});
    } else {
      this.catalog.invalidate(change.topic, change.key);
      // What metadata-document clients may ask for follows the APIs.
      if (change.topic === 'api') this.catalog.clientMetadataDocuments?.clear();
    }
  }

  /** What a token is, if it is active (for surfaces beside the OAuth endpoints, such as the management API). */
  inspectToken(token: string): Promise<ActiveToken | undefined> {
    return this.#inspector.inspect(token);
  }

  /** Flushes what is buffered (last-use times, audit events) and stops timers. Call before closing the store. */
  async close(): Promise<void> {
    clearInterval(this.#keyRefresh);
    this.#unsubscribe();
    this.housekeeping.stop();
    this.backchannelLogout?.close();
    await this.mail?.close();
    await Promise.all([this.usage.close(), this.audit.close()]);
    await this.changes.close();
  }

  /**
   * "Revoke everything for this user", in one call: every stored token of theirs
   * (refresh, reference, PAT, user and action tokens), every consent, and every
   * session. JWT access tokens already issued lapse within their lifetime.
   */
  async revokeEverything(userId: string, actor?: AuditActor): Promise<{ tokens: number; consents: number }> {
    const user = await this.store.getUser(userId);
    if (!user) throw new NotFoundError(`no user ${userId}`);
    const now = this.clock.now();
    const tokens = await this.store.revokeSubjectTokens(user.id, undefined, now);
    const consents = await this.store.listConsents(user.id);
    for (const consent of consents) {
      await this.store.deleteConsent(user.id, consent.clientId);
      this.audit.record({ type: 'consent.revoked', outcome: 'success', ...(actor ? { actor } : {}), subject: user.id, clientId: consent.clientId, scopes: consent.scopes });
    }
    await this.store.upsertUser({ ...user, notBefore: now });
    await this.sessions.endAll(user.id);
    this.audit.record({ type: 'token.revoked', outcome: 'success', ...(actor ? { actor } : {}), subject: user.id, details: { everything: true, tokens, sessions: 'ended' } });
    return { tokens, consents: consents.length };
  }

  /**
   * Deletes a client and revokes what it was given: its tokens, every user's consent
   * for it, and (for introspection) its JWT access tokens. Audited as `token.revoked`.
   */
  removeClient(clientId: string, origin: RemovalOrigin): Promise<ClientRemoval> {
    return removeClient(
      { store: this.store, clients: this.catalogWriter, clock: this.clock, audit: this.audit, longestLifetime: () => this.#longestTokenLifetime() },
      clientId,
      origin,
    );
  }

  /** Withdraws a user's consent for a client, and with it every token the client holds for the user. */
  async revokeConsent(userId: string, clientId: string, actor?: AuditActor): Promise<{ consent: boolean; tokens: number }> {
    const consent = await this.store.deleteConsent(userId, clientId);
    const tokens = await this.store.revokeSubjectTokens(userId, clientId, this.clock.now());
    if (consent || tokens > 0) {
      this.audit.record({ type: 'consent.revoked', outcome: 'success', ...(actor ? { actor } : {}), subject: userId, clientId, details: { consent, tokens } });
    }
    return { consent, tokens };
  }

  async discovery(): Promise<Record<string, unknown>> {
    const apis = await this.store.listApis();
    return discoveryDocument({
      issuer: this.issuer,
      grantTypes: [...this.#grants.keys()],
      scopes: [...new Set([...OIDC_SCOPES, ...apis.flatMap((a) => a.scopes.map((s) => s.name))])],
      signingAlgs: [...new Set(this.keys.jwks().keys.map((k) => k.alg))],
      responseTypes: RESPONSE_TYPES,
      requirePushedAuthorizationRequests: this.flow.pushedRequests.policy.required,
      clientIdMetadataDocuments: this.catalog.clientMetadataDocuments !== undefined,
      registration: this.registration.enabled,
      dpopAlgs: DPOP_ALGS,
      backchannelLogout: this.backchannelLogout !== undefined,
    });
  }

  async #longestTokenLifetime(): Promise<number> {
    const apis = await this.store.listApis();
    return Math.max(DEFAULT_TOKEN_LIFETIME, ...apis.map((a) => a.ttl)) + 300;
  }
}

/** The issuer is compared byte for byte by clients: one canonical form, no trailing slash. */
export function normalizeIssuer(issuer: string): string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new TypeError(`issuer must be an absolute http(s) URL, got ${JSON.stringify(issuer)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('issuer must use https (or http for local use)');
  if (url.search || url.hash) throw new TypeError('issuer must not have a query or fragment');
  return url.href.replace(/\/$/, '');
}
