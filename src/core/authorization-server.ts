/**
 * The OAuth engine as the adapters (src/http, the CLI, the management API) hold it:
 * its services, its endpoints, and the operations that span several of them (applying
 * a configuration, rotating keys, revoking everything of a user, discovery). How the
 * parts are built and wired is compose-engine.ts, the engine's one composition root.
 * It speaks EngineRequest/EngineResponse and knows nothing of HTTP servers or drivers.
 */
import type { AuditActor } from './audit/audit-event.js';
import type { AuditLog } from './audit/audit-log.js';
import { OIDC_SCOPES } from './authorize/authorization-request.js';
import { RESPONSE_TYPES } from './authorize/check-response-type.js';
import type { Catalog } from './catalog.js';
import type { CatalogWriter } from './catalog-writer.js';
import type { Clock } from './clock.js';
import { composeEngine, type AuthorizationServerOptions, type EngineParts, type Endpoints } from './compose-engine.js';
import { applyConfig, type ApplySummary } from './config/apply.js';
import type { ConfigFile } from './config/schema.js';
import type { CredentialService } from './credentials/credential-service.js';
import type { UsageRecorder } from './credentials/usage-recorder.js';
import type { SecretHasher } from './crypto/secret-hasher.js';
import type { DpopService } from './dpop/dpop-service.js';
import { DPOP_ALGS } from './dpop/proof.js';
import { discoveryDocument } from './endpoints/discovery.js';
import { NotFoundError } from './errors.js';
import type { ProviderSecrets } from './federation/provider-secret.js';
import type { GrantHandler } from './grants/grant.js';
import type { Housekeeping } from './housekeeping.js';
import type { FlowContext } from './interaction/flow-context.js';
import type { SessionStore } from './interaction/sessions.js';
import type { KeyRing } from './keys/key-ring.js';
import type { BackchannelLogout } from './logout/backchannel-logout.js';
import type { AccountMail } from './mail/account-mail.js';
import type { SecondFactors } from './mfa/second-factors.js';
import type { SigningAlg } from './model.js';
import type { AttemptCounter } from './ports/attempt-counter.js';
import type { ChangeFeed } from './ports/change-feed.js';
import type { Store } from './ports/storage.js';
import type { InitialAccessTokens } from './registration/initial-access-tokens.js';
import type { RegistrationPolicy } from './registration/registration-policy.js';
import type { ActiveToken, TokenInspector } from './tokens/token-inspector.js';
import type { ClientRemoval, RemovalOrigin } from './tokens/client-revocation.js';
import type { UserGrants } from './tokens/user-grants.js';

export { normalizeIssuer, type AuthorizationServerOptions, type EndpointHandler, type Endpoints } from './compose-engine.js';

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
  readonly endpoints: Endpoints;
  /** Sign-in sessions: find, list per user, end one or all. */
  readonly sessions: SessionStore;
  /** OIDC Back-Channel Logout, when a transport was given: logout tokens to the clients a session signed into. */
  readonly backchannelLogout: BackchannelLogout | undefined;
  /** Users' second factors (TOTP, recovery codes) and the MFA policy. */
  readonly mfa: SecondFactors;
  /** The grants users gave apps: list per user, revoke one (not the grant types the token endpoint knows). */
  readonly userGrants: UserGrants;
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
  /** The grant types the token endpoint knows (the registry, grants/index.ts); not users' grants (`userGrants`). */
  readonly #grantTypes: ReadonlyMap<string, GrantHandler>;
  readonly #inspector: TokenInspector;
  readonly #ensureKeys: () => Promise<string[]>;
  readonly #removeClient: EngineParts['removeClient'];
  readonly #stopWiring: () => void;

  /** Takes the parts composeEngine built (compose-engine.ts); use `create`, which also migrates and loads keys. */
  constructor(parts: EngineParts) {
    this.issuer = parts.issuer;
    this.store = parts.store;
    this.clock = parts.clock;
    this.hasher = parts.hasher;
    this.providerSecrets = parts.providerSecrets;
    this.keys = parts.keys;
    this.catalog = parts.catalog;
    this.catalogWriter = parts.catalogWriter;
    this.credentials = parts.credentials;
    this.usage = parts.usage;
    this.audit = parts.audit;
    this.housekeeping = parts.housekeeping;
    this.endpoints = parts.endpoints;
    this.sessions = parts.sessions;
    this.backchannelLogout = parts.backchannelLogout;
    this.mfa = parts.mfa;
    this.userGrants = parts.userGrants;
    this.flow = parts.flow;
    this.changes = parts.changes;
    this.attempts = parts.attempts;
    this.mail = parts.mail;
    this.registration = parts.registration;
    this.initialAccessTokens = parts.initialAccessTokens;
    this.dpop = parts.dpop;
    this.#grantTypes = parts.grantTypes;
    this.#inspector = parts.inspector;
    this.#ensureKeys = parts.ensureKeys;
    this.#removeClient = parts.removeClient;
    this.#stopWiring = parts.stopWiring;
  }

  /** Migrates the store, makes sure signing keys exist, and loads them. */
  static async create(options: AuthorizationServerOptions): Promise<AuthorizationServer> {
    const server = new AuthorizationServer(composeEngine(options));
    await server.store.migrate();
    await server.ensureKeys();
    return server;
  }

  /** Creates a current and a next key for every algorithm in use; returns the kids created. */
  ensureKeys(): Promise<string[]> {
    return this.#ensureKeys();
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

  /** What a token is, if it is active (for surfaces beside the OAuth endpoints, such as the management API). */
  inspectToken(token: string): Promise<ActiveToken | undefined> {
    return this.#inspector.inspect(token);
  }

  /** Flushes what is buffered (last-use times, audit events) and stops timers. Call before closing the store. */
  async close(): Promise<void> {
    this.#stopWiring();
    this.housekeeping.stop();
    await this.backchannelLogout?.close();
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
      this.audit.record({
        type: 'consent.revoked',
        outcome: 'success',
        ...(actor ? { actor } : {}),
        subject: user.id,
        clientId: consent.clientId,
        scopes: consent.scopes,
      });
    }
    await this.store.upsertUser({ ...user, notBefore: now });
    await this.sessions.endAll(user.id);
    this.audit.record({
      type: 'token.revoked',
      outcome: 'success',
      ...(actor ? { actor } : {}),
      subject: user.id,
      details: { everything: true, tokens, sessions: 'ended' },
    });
    return { tokens, consents: consents.length };
  }

  /**
   * Deletes a client and revokes what it was given: its tokens, every user's consent
   * for it, and (for introspection) its JWT access tokens. Audited as `token.revoked`.
   */
  removeClient(clientId: string, origin: RemovalOrigin): Promise<ClientRemoval> {
    return this.#removeClient(clientId, origin);
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
      grantTypes: [...this.#grantTypes.keys()],
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
}
