/**
 * Answers "what is this token?" for introspection, revocation and userinfo, for every
 * kind Tessera issues. Opaque tokens are checked locally first (prefix and checksum,
 * or the 40-hex shape of user and action tokens), then looked up by keyed hash (tokens/stored-token-key.ts); JWTs
 * are verified against our own published keys and the revocation list (and are
 * inactive once their client is deleted, tokens/client-revocation.ts). A credential
 * of a user or service account is active only while its owner is, and a PAT or SAT
 * carries only the scopes its owner's roles still allow (a role taken away takes
 * effect at its next use: introspection, exchange, the SDK). Unknown, malformed,
 * expired and revoked tokens all come back undefined: the caller learns only "not active".
 */
import type { Clock } from '../clock.js';
import type { Authentication } from './access-token-issuer.js';
import { narrowToRoles, permissionsOf, type Permissions } from '../credentials/permissions.js';
import type { UsageRecorder } from '../credentials/usage-recorder.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import { checkTokenString, isHexKey, TOKEN_PREFIXES } from '../crypto/token-string.js';
import type { OwnJwtVerifier } from '../keys/verify-own-jwt.js';
import { MANUAL_TOKEN_KINDS, type StoredToken } from '../model.js';
import type { EphemeralRepository, RevocationRepository, RoleRepository, ServiceAccountRepository, TokenRepository, UserRepository } from '../ports/storage.js';
import { isRevokedWithClient } from './client-revocation.js';
import { isGrantRevoked } from './grant-revocation.js';
import { findStoredToken } from './stored-token-key.js';

/** What inspecting a token reads: the token, revocations, and its owner with their roles. */
export type InspectorStorage = Pick<TokenRepository, 'findTokenByHash'> &
  RevocationRepository &
  Pick<EphemeralRepository, 'getRecord'> &
  Pick<UserRepository, 'getUser'> &
  Pick<ServiceAccountRepository, 'getServiceAccount'> &
  Pick<RoleRepository, 'getRole'>;

/** What an active token means, whichever its format. */
export type ActiveToken = Omit<StoredToken, 'hash' | 'revokedAt' | 'consumedAt' | 'successorHash' | 'details' | 'lastUsedAt'> & {
  format: 'jwt' | 'reference';
  /** The stored hash of an opaque token. */
  hash?: string;
  /** The owner, for credentials of users and service accounts. */
  username?: string;
  serviceAccount?: string;
  /** For user and action tokens: everything the user may do, per API. */
  permissions?: Permissions;
  /** For action tokens: the endpoints it may call. */
  allowedEndpoints?: string[];
  sandbox?: boolean;
  /** Claims the API's mapping put in the token (tokens/claim-mapping.ts). */
  claims?: Record<string, unknown>;
  /** How the user signed in, for tokens issued from a sign-in. */
  authentication?: Authentication;
  /** DPoP: the thumbprint of the key the token is bound to (`cnf.jkt`). */
  jkt?: string;
};

/** What a Tessera access token JWT carries besides mapped claims. */
const OWN_JWT_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'client_id', 'scope', 'sandbox', 'cnf', 'auth_time', 'acr', 'amr']);

const STORED_PREFIXES: readonly string[] = [
  TOKEN_PREFIXES.access_token,
  TOKEN_PREFIXES.refresh_token,
  TOKEN_PREFIXES.personal_access_token,
  TOKEN_PREFIXES.service_access_token,
];

export class TokenInspector {
  readonly #issuer: string;
  readonly #jwts: OwnJwtVerifier;
  readonly #store: InspectorStorage;
  readonly #hasher: SecretHasher;
  readonly #clock: Clock;
  readonly #usage: UsageRecorder;

  constructor(deps: { issuer: string; jwts: OwnJwtVerifier; store: InspectorStorage; hasher: SecretHasher; clock: Clock; usage: UsageRecorder }) {
    this.#issuer = deps.issuer;
    this.#jwts = deps.jwts;
    this.#store = deps.store;
    this.#hasher = deps.hasher;
    this.#clock = deps.clock;
    this.#usage = deps.usage;
  }

  async inspect(token: string): Promise<ActiveToken | undefined> {
    const prefix = checkTokenString(token);
    if (prefix !== undefined) return STORED_PREFIXES.includes(prefix) ? this.#inspectStored(token) : undefined;
    if (isHexKey(token)) return this.#inspectStored(token);
    if (token.startsWith('tsr_')) return undefined; // a mistyped opaque token: no lookup
    return this.#inspectJwt(token);
  }

  async #inspectStored(token: string): Promise<ActiveToken | undefined> {
    const now = this.#clock.now();
    const stored = await findStoredToken(this.#store, this.#hasher, token);
    if (!stored || stored.revokedAt !== undefined || stored.expiresAt <= now) return undefined;
    if (stored.kind === 'refresh_token' && stored.consumedAt !== undefined) return undefined; // rotated
    if (await isGrantRevoked(this.#store, stored.grantId)) return undefined;
    const { revokedAt: _r, consumedAt: _c, successorHash: _s, details, lastUsedAt: _l, ...rest } = stored;
    const active: ActiveToken = { format: 'reference', ...rest };
    if (details?.sandbox === true) active.sandbox = true;
    if (details?.claims && typeof details.claims === 'object') active.claims = details.claims as Record<string, unknown>;
    if (details?.authentication && typeof details.authentication === 'object') active.authentication = details.authentication as Authentication;
    if (typeof details?.jkt === 'string') active.jkt = details.jkt;
    if (MANUAL_TOKEN_KINDS.includes(stored.kind)) {
      if (!(await this.#describeOwner(active, stored))) return undefined;
      this.#usage.record(stored.hash, now);
    }
    if (stored.kind === 'action_token' && Array.isArray(details?.endpoints)) active.allowedEndpoints = details.endpoints as string[];
    return active;
  }

  /** Fills in the owner, and narrows a PAT's or SAT's scopes to the owner's roles; false when the owner is gone or inactive. */
  async #describeOwner(active: ActiveToken, stored: StoredToken): Promise<boolean> {
    const narrow = async (roles: string[]) => {
      active.scope = (await narrowToRoles(this.#store, roles, stored.audience, stored.scope.split(' ').filter(Boolean))).join(' ');
    };
    if (stored.kind === 'service_access_token') {
      const account = await this.#store.getServiceAccount(stored.subject);
      if (!account || !account.active) return false;
      active.serviceAccount = account.name;
      await narrow(account.roles);
      return true;
    }
    const user = await this.#store.getUser(stored.subject);
    if (!user || !user.active) return false;
    active.username = user.username;
    if (stored.kind === 'personal_access_token') await narrow(user.roles);
    if (stored.kind === 'user_token' || stored.kind === 'action_token') active.permissions = await permissionsOf(this.#store, user.roles);
    return true;
  }

  async #inspectJwt(token: string): Promise<ActiveToken | undefined> {
    const claims = this.#jwts.verify(token, 'at+jwt');
    const now = this.#clock.now();
    if (!claims || typeof claims.exp !== 'number' || claims.exp <= now || claims.iss !== this.#issuer) return undefined;
    if (typeof claims.jti !== 'string' || (await this.#store.isJtiRevoked(claims.jti))) return undefined;
    // A JWT cannot be marked revoked in a row: its client's deletion is looked up instead.
    if (await isRevokedWithClient(this.#store, String(claims.client_id ?? ''), Number(claims.iat ?? 0), now)) return undefined;
    const active: ActiveToken = {
      format: 'jwt',
      kind: 'access_token',
      jti: claims.jti,
      clientId: String(claims.client_id ?? ''),
      subject: String(claims.sub ?? ''),
      audience: String(claims.aud ?? ''),
      scope: String(claims.scope ?? ''),
      issuedAt: Number(claims.iat ?? 0),
      expiresAt: claims.exp,
    };
    if (claims.sandbox === true) active.sandbox = true;
    if (typeof claims.auth_time === 'number') {
      active.authentication = {
        authTime: claims.auth_time,
        amr: Array.isArray(claims.amr) ? claims.amr.filter((m): m is string => typeof m === 'string') : [],
      };
    }
    const cnf = claims.cnf as { jkt?: unknown } | undefined;
    if (cnf && typeof cnf === 'object' && typeof cnf.jkt === 'string') active.jkt = cnf.jkt;
    const mapped = Object.entries(claims).filter(([name]) => !OWN_JWT_CLAIMS.has(name));
    if (mapped.length > 0) active.claims = Object.fromEntries(mapped);
    return active;
  }
}
