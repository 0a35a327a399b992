/**
 * The engine's composition root: every service and endpoint of the OAuth engine built
 * from the options, each given what it uses (its repositories, clock, hasher, the
 * services it calls) and nothing more. This is the one file that knows how the parts
 * fit; authorization-server.ts is the facade the adapters (HTTP, CLI, management API)
 * hold, and the parts themselves never reach for a whole engine.
 */
import { AuditLog, type AuditLogOptions } from './audit/audit-log.js';
import { Catalog } from './catalog.js';
import { CatalogWriter } from './catalog-writer.js';
import { ClientAuthenticator } from './client-auth/authenticate-client.js';
import { ClientAuthThrottle } from './client-auth/client-auth-throttle.js';
import { DEFAULT_ASSERTION_POLICY, PrivateKeyJwtVerifier, type AssertionPolicy } from './client-auth/private-key-jwt.js';
import { systemClock, type Clock } from './clock.js';
import { deriveKeys } from './crypto/master-key.js';
import { SecretHasher } from './crypto/secret-hasher.js';
import { apiCallsEndpoint } from './endpoints/api-calls.js';
import { deviceAuthorizationEndpoint } from './endpoints/device-authorization.js';
import { deviceVerificationEndpoint } from './endpoints/device-verification.js';
import { DEFAULT_DEVICE_POLICY, type DevicePolicy } from './device/device-policy.js';
import { UserCodeThrottle } from './device/user-code-throttle.js';
import { DeviceAuthorizationThrottle } from './device/device-authorization-throttle.js';
import { introspectionEndpoint } from './endpoints/introspect.js';
import { revocationEndpoint } from './endpoints/revoke.js';
import { tokenEndpoint } from './endpoints/token.js';
import { GRANT_TYPES, grantTypeRegistry } from './grants/index.js';
import type { GrantHandler } from './grants/grant.js';
import { tokenExchangeGrant } from './grants/token-exchange.js';
import { KeyRing } from './keys/key-ring.js';
import { OwnJwtVerifier } from './keys/verify-own-jwt.js';
import { SIGNING_ALGS, type Api, type SigningAlg } from './model.js';
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
import { TokenInspector } from './tokens/token-inspector.js';
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
import { PasskeyChallenges } from './mfa/passkey-challenges.js';
import { Passkeys } from './mfa/passkeys.js';
import { relyingPartyFor, type RelyingPartyOverrides } from './mfa/relying-party.js';
import { InitialAccessTokens } from './registration/initial-access-tokens.js';
import { registrationEndpoints } from './registration/registration-endpoint.js';
import { REGISTRATION_DISABLED, type RegistrationPolicy } from './registration/registration-policy.js';
import { RegistrationThrottle } from './registration/registration-throttle.js';
import { DpopService, type DpopOptions } from './dpop/dpop-service.js';
import { DpopNonces } from './dpop/nonces.js';

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
  /** Passkeys' relying party, when it differs from the issuer's host and origin (behind some proxies). */
  webauthn?: RelyingPartyOverrides;
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

/** The engine's endpoints, as the HTTP binding routes them. */
export interface Endpoints {
  token: EndpointHandler;
  introspect: EndpointHandler;
  revoke: EndpointHandler;
  authorize: EndpointHandler;
  pushedAuthorization: EndpointHandler;
  userinfo: EndpointHandler;
  logout: EndpointHandler;
  interaction: { show: EndpointHandler; login: EndpointHandler; passkey: EndpointHandler; consent: EndpointHandler };
  secondFactor: { show: EndpointHandler; submit: EndpointHandler };
  upstream: { startForAuthorization: EndpointHandler; startForAccount: EndpointHandler; startLink: EndpointHandler; callback: EndpointHandler };
  apiCalls: EndpointHandler;
  /** RFC 8628: the device authorization endpoint, and the verification page (GET and POST). */
  deviceAuthorization: EndpointHandler;
  deviceVerification: EndpointHandler;
  registration: { register: EndpointHandler; read: EndpointHandler; update: EndpointHandler; remove: EndpointHandler };
}

/** Everything composeEngine built: what the facade (authorization-server.ts) exposes and uses. */
export interface EngineParts {
  issuer: string;
  store: Store;
  clock: Clock;
  hasher: SecretHasher;
  providerSecrets: ProviderSecrets;
  keys: KeyRing;
  catalog: Catalog;
  catalogWriter: CatalogWriter;
  credentials: CredentialService;
  usage: UsageRecorder;
  audit: AuditLog;
  housekeeping: Housekeeping;
  endpoints: Endpoints;
  sessions: SessionStore;
  backchannelLogout: BackchannelLogout | undefined;
  mfa: SecondFactors;
  /** What users granted apps (not the grant types: `grantTypes`). */
  userGrants: UserGrants;
  flow: FlowContext;
  changes: ChangeFeed;
  attempts: AttemptCounter;
  mail: AccountMail | undefined;
  registration: RegistrationPolicy;
  initialAccessTokens: InitialAccessTokens;
  dpop: DpopService;
  /** The grant types the token endpoint knows (grants/index.ts), by grant_type. */
  grantTypes: ReadonlyMap<string, GrantHandler>;
  inspector: TokenInspector;
  /** Creates a current and a next key for every algorithm in use; returns the kids created. */
  ensureKeys(): Promise<string[]>;
  /** Deletes a client and revokes what it was given (tokens/client-revocation.ts). */
  removeClient(clientId: string, origin: RemovalOrigin): Promise<ClientRemoval>;
  /** Stops listening to the change feed and the key ring's refresh timer. */
  stopWiring(): void;
}

/** Builds the engine's parts; `AuthorizationServer.create` then migrates the store and loads the keys. */
export function composeEngine(options: AuthorizationServerOptions): EngineParts {
  const issuer = normalizeIssuer(options.issuer);
  const store = options.store;
  const clock = options.clock ?? systemClock;
  const derived = deriveKeys(options.masterKey);
  const hasher = new SecretHasher(derived.secretHashKey);
  const providerSecrets = new ProviderSecrets(derived.secretEncryptionKey);
  const cacheTtl = options.cacheTtlSeconds ?? 1;
  const catalog = new Catalog(store, { ttlSeconds: cacheTtl });
  const changes = options.changes ?? new LocalChangeFeed();
  const attempts = options.attempts ?? new MemoryAttemptCounter();
  // A frozen clock (tests) freezes the audit log's times too.
  const audit = new AuditLog({ ...options.audit, repo: store, now: clock === systemClock ? Date.now : () => clock.now() * 1000 });
  const housekeeping = new Housekeeping(store, clock);
  if (options.clientMetadataDocuments) {
    // By default such clients may ask users for any API's scopes but the management API's (<issuer>/api/v1).
    const everyApi = async () => {
      const apis = (await store.listApis()).filter((api) => api.identifier !== `${issuer}/api/v1`);
      return Object.fromEntries(apis.map((api) => [api.identifier, api.scopes.map((s) => s.name)]));
    };
    catalog.useClientMetadataDocuments(new ClientMetadataDocuments(options.clientMetadataDocuments, clock, everyApi, audit));
  }
  // Retired keys are kept for as long as the longest-lived token signed with them.
  const longestTokenLifetime = async () => {
    const apis = await store.listApis();
    return Math.max(DEFAULT_TOKEN_LIFETIME, ...apis.map((a) => a.ttl)) + 300;
  };
  const keys = new KeyRing({
    repo: store,
    keyEncryptionKey: derived.keyEncryptionKey,
    clock,
    retentionSeconds: longestTokenLifetime,
  });
  /** Creates a current and a next key for every algorithm in use; returns the kids created. */
  const ensureKeys = async (): Promise<string[]> => {
    const apis = await store.listApis();
    const created = await keys.ensure([...BASE_ALGS, ...apis.map((a) => a.alg)]);
    if (created.length > 0) await changes.publish('keys');
    return created.map((k) => k.kid);
  };
  const catalogWriter = new CatalogWriter({ store, catalog, changes, clock, ensureKeys });
  const removeClientOf = (clientId: string, origin: RemovalOrigin) =>
    removeClient({ store, clients: catalogWriter, clock, audit, longestLifetime: longestTokenLifetime }, clientId, origin);
  const unsubscribe = changes.subscribe((change) => onChange(catalog, keys, change));
  // The safety net for the key ring, as the TTL is for the catalog.
  const keyRefresh = setInterval(() => void keys.reload().catch(() => {}), cacheTtl * 1000);
  keyRefresh.unref();
  const clientKeys = new PrivateKeyJwtVerifier(store, issuer, { ...DEFAULT_ASSERTION_POLICY, ...options.clientAssertions });
  const clientAuth = new ClientAuthenticator(catalog, hasher, clientKeys, clock, audit, new ClientAuthThrottle(clock, attempts));
  const jwts = new OwnJwtVerifier(keys);
  const dpop = new DpopService(
    options.dpop?.replay ?? store,
    options.dpop?.nonce ? new DpopNonces(hasher) : undefined,
    options.dpop?.iatWindow !== undefined ? { iatWindow: options.dpop.iatWindow } : {},
  );
  const claims = new ClaimMapper(store);
  const accessTokens = new AccessTokenIssuer(issuer, keys, store, hasher, clock, claims);
  const usage = new UsageRecorder(store, options.usageFlushMs ?? 30_000);
  const credentials = new CredentialService({
    store,
    hasher,
    clock,
    catalog,
    policy: { ...DEFAULT_CREDENTIAL_POLICY, ...options.credentials },
    audit,
  });
  const inspector = new TokenInspector({ issuer, jwts, store, hasher, clock, usage });
  const grantTypes = grantTypeRegistry([...GRANT_TYPES, tokenExchangeGrant(inspector)]);
  const idTokens = new IdTokenIssuer(issuer, keys, clock);
  const refreshTokens = new RefreshTokenIssuer(store, hasher, clock, { ...DEFAULT_REFRESH_POLICY, ...options.refreshTokens });
  const userinfoApi: Api = {
    identifier: `${issuer}/userinfo`,
    name: 'UserInfo',
    scopes: [],
    format: 'jwt',
    ttl: DEFAULT_TOKEN_LIFETIME,
    alg: 'ES256',
  };
  const sessions = new SessionStore(store, hasher, clock);
  const backchannelLogout = options.backchannelLogout
    ? new BackchannelLogout({ issuer, records: store, outbox: store.logoutOutbox, catalog, keys, clock, audit }, options.backchannelLogout)
    : undefined;
  if (backchannelLogout) sessions.onEnded((ended) => backchannelLogout.sessionsEnded(ended));
  const throttle = new SignInThrottle(clock, attempts);
  const mfa = new SecondFactors({
    label: new URL(issuer).host,
    store,
    hasher,
    clock,
    audit,
    throttle,
    secrets: new FactorSecrets(derived.secretEncryptionKey),
    policy: options.mfa ?? NO_MFA_POLICY,
  });
  const mail = options.mail
    ? new AccountMail({ issuer, store, clock, hasher, audit, sessions, attempts, throttle, outboxKey: derived.outboxKey }, options.mail)
    : undefined;
  const flow: FlowContext = {
    issuer,
    store,
    catalog,
    clock,
    hasher,
    jwts,
    sessions,
    pending: new PendingAuthorizations(store, hasher, clock),
    requestObjects: new RequestObjectVerifier((client) => clientKeys.keysFor(client), issuer, clock),
    pushedRequests: new PushedRequests(store, hasher, clock, { ...DEFAULT_PUSHED_REQUEST_POLICY, ...options.pushedRequests }),
    throttle,
    signInLinks: {
      ...(mail?.features.passwordReset ? { forgotPassword: `${issuer}/password/forgot` } : {}),
      ...(mail?.features.signUp.enabled ? { signUp: `${issuer}/sign-up` } : {}),
    },
    accessTokens,
    idTokens,
    refreshTokens,
    userinfoApi,
    audit,
    views: options.views,
    claims,
    upstream: new UpstreamSignIn({ issuer, store, hasher, clock, clients: new UpstreamClients(providerSecrets) }),
    mfa,
    secondSteps: new SecondSteps(store, hasher, clock),
    passkeys: new Passkeys({
      rp: relyingPartyFor(issuer, options.webauthn),
      store,
      challenges: new PasskeyChallenges(store, hasher, clock),
      clock,
      audit,
      throttle,
    }),
    ...(backchannelLogout ? { backchannelLogout } : {}),
  };
  const registration = options.registration ?? REGISTRATION_DISABLED;
  const initialAccessTokens = new InitialAccessTokens(store, hasher, clock);
  const userGrants = new UserGrants({ store, clock, audit, longestLifetime: () => refreshTokens.policy.ttl });
  const endpoints = {
    token: tokenEndpoint(
      grantTypes,
      clientAuth,
      {
        catalog,
        accessTokens,
        clock,
        store,
        hasher,
        idTokens,
        refreshTokens,
        userinfoApi,
        audit,
        claims,
      },
      dpop,
    ),
    introspect: introspectionEndpoint(issuer, clientAuth, inspector, audit),
    revoke: revocationEndpoint(clientAuth, inspector, store, clock, refreshTokens.policy.ttl, audit),
    authorize: authorizationEndpoint(flow),
    pushedAuthorization: pushedAuthorizationEndpoint(flow, clientAuth, dpop),
    userinfo: userinfoEndpoint(store, inspector, catalog, claims, dpop, clock),
    logout: logoutEndpoint(flow),
    interaction: interactionEndpoints(flow),
    secondFactor: secondFactorEndpoints(flow),
    upstream: upstreamEndpoints(flow),
    apiCalls: apiCallsEndpoint(clientAuth, audit, { usage, clock }),
    deviceAuthorization: deviceAuthorizationEndpoint(clientAuth, {
      issuer,
      catalog,
      store,
      hasher,
      clock,
      policy: { ...DEFAULT_DEVICE_POLICY, ...options.deviceFlow },
      throttle: new DeviceAuthorizationThrottle(clock, attempts),
      audit,
    }),
    deviceVerification: deviceVerificationEndpoint(flow, new UserCodeThrottle(clock, attempts)),
    registration: registrationEndpoints({
      issuer,
      store,
      hasher,
      clock,
      audit,
      policy: registration,
      throttle: new RegistrationThrottle(clock, attempts, registration),
      initialAccessTokens,
      supportedGrants: () => [...grantTypes.keys()],
      clients: catalogWriter,
      removeClient: (clientId, origin) => removeClientOf(clientId, { ...origin, via: 'registration' }),
    }),
  };
  return {
    issuer,
    store,
    clock,
    hasher,
    providerSecrets,
    keys,
    catalog,
    catalogWriter,
    credentials,
    usage,
    audit,
    housekeeping,
    endpoints,
    sessions,
    backchannelLogout,
    mfa,
    userGrants,
    flow,
    changes,
    attempts,
    mail,
    registration,
    initialAccessTokens,
    dpop,
    grantTypes,
    inspector,
    ensureKeys,
    removeClient: removeClientOf,
    stopWiring() {
      clearInterval(keyRefresh);
      unsubscribe();
    },
  };
}

/** A change published by this or another instance: drop what it makes stale. */
function onChange(catalog: Catalog, keys: KeyRing, change: Change): void {
  if (change.kind === 'resync') {
    catalog.invalidate();
    void keys.reload().catch(() => {});
  } else if (change.topic === 'keys') {
    void keys.reload().catch(() => {});
  } else {
    catalog.invalidate(change.topic, change.key);
    // What metadata-document clients may ask for follows the APIs.
    if (change.topic === 'api') catalog.clientMetadataDocuments?.clear();
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
