/**
 * The domain model the engine works with. Storage backends persist these shapes;
 * the declarative config (config/schema.ts) is parsed into them.
 */

export type SigningAlg = 'ES256' | 'RS256' | 'EdDSA';
export const SIGNING_ALGS: readonly SigningAlg[] = ['ES256', 'RS256', 'EdDSA'];

export type AccessTokenFormat = 'jwt' | 'reference';

export interface ScopeDefinition {
  name: string;
  description: string;
}

/** A protected API (a resource server). Its identifier is the token audience. */
export interface Api {
  identifier: string;
  name: string;
  scopes: ScopeDefinition[];
  format: AccessTokenFormat;
  /** Access-token lifetime in seconds. */
  ttl: number;
  alg: SigningAlg;
  /** Extra claims in this API's access tokens: claim name → expression (tokens/claim-mapping.ts). */
  claims?: Record<string, string>;
  /** Only DPoP-bound access tokens are issued for this API (RFC 9449). */
  requireDpop?: boolean;
}

export type ClientType = 'confidential' | 'public';
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];

export interface ClientSecret {
  /** Keyed hash (see crypto/secret-hasher.ts); the secret itself is never stored. */
  hash: string;
  createdAt: number;
  /** Set when a rotated-out secret should stop working; absent means no expiry. */
  expiresAt?: number;
}

export interface Client {
  clientId: string;
  name: string;
  type: ClientType;
  tokenEndpointAuthMethod: ClientAuthMethod;
  secrets: ClientSecret[];
  redirectUris: string[];
  grantTypes: string[];
  /** The API the client is registered to: the default audience of its tokens. */
  api?: string;
  /** Scopes granted per API identifier (for M2M clients, its permissions). */
  permissions: Record<string, string[]>;
  /** Public keys for private_key_jwt, inline or by URL. */
  jwks?: { keys: Record<string, unknown>[] };
  jwksUri?: string;
  /** 'own': may introspect only its own tokens. 'any': a resource server that introspects every token. */
  introspection: 'own' | 'any';
  /** Where RP-initiated logout may send the user back to (exact match). */
  postLogoutRedirectUris?: string[];
  /** The platform's own apps: users are not asked to consent. */
  firstParty?: boolean;
  /** Opt-in for the legacy implicit and hybrid response types (tokens in the front channel). */
  allowImplicit?: boolean;
  /** Demand PKCE from this confidential client too (always demanded from public clients). */
  requirePkce?: boolean;
  /** Demand a DPoP proof at the token endpoint: every token it gets is bound to a key (RFC 9449). */
  requireDpop?: boolean;
  /** Its authorization requests must come through the pushed authorization request endpoint (RFC 9126 §6). */
  requirePushedAuthorizationRequests?: boolean;
  /** Where the server POSTs a logout token when a session the client signed into ends (OIDC Back-Channel Logout 1.0). */
  backchannelLogoutUri?: string;
  /** The logout token always carries `sid` (backchannel_logout_session_required; Tessera always sends it). */
  backchannelLogoutSessionRequired?: boolean;
  /** Silent sign-in: users are signed in without consent into a sandbox of their own (seed 001). */
  sandbox?: boolean;
  /** How its ID tokens are signed (OIDC Dynamic Registration's id_token_signed_response_alg); RS256 by default. */
  idTokenSignedResponseAlg?: SigningAlg;
  /** Extra claims in this client's ID tokens and userinfo: claim name → expression (tokens/claim-mapping.ts). */
  claims?: Record<string, string>;
  /** The upstream identity providers its sign-in page offers (absent: every enabled one). */
  identityProviders?: string[];
  /**
   * Described by a client ID metadata document at its client_id URL (client-metadata/):
   * never stored, always third-party, consent asked every time, shown as unverified.
   */
  metadataDocument?: boolean;
  /** Users signing in to this client must present a second factor (and enrol one if they have none). */
  requireMfa?: boolean;
  /** Set on a client that registered itself (RFC 7591): third-party and unverified. */
  registration?: ClientRegistration;
  /**
   * When a client was first saved under this id (seconds; kept by later edits). Codes and
   * tokens issued before it were issued to a deleted client of the same id and are refused
   * (tokens/client-revocation.ts). Absent on clients saved before it was recorded.
   */
  createdAt?: number;
}

/** How a client registered itself, and what lets it manage its registration (RFC 7592). */
export interface ClientRegistration {
  registeredAt: number;
  /** Keyed hash of the registration access token; the token itself is never stored. */
  accessTokenHash: string;
  /** The metadata as registered, in RFC 7591's names, echoed back on every read. */
  metadata: Record<string, unknown>;
  /** The id of the initial access token it registered with, if any. */
  initialAccessTokenId?: string;
}

export interface User {
  id: string;
  username: string;
  /** Display name, released with the `profile` scope. */
  name?: string;
  email?: string;
  emailVerified?: boolean;
  /** scrypt hash in PHC-like form; absent for users who cannot sign in with a password. */
  passwordHash?: string;
  active: boolean;
  roles: string[];
  /** Sessions that began before this time are void ("revoke everything"). */
  notBefore?: number;
  /** Signed up on their own and not yet verified: verifying the email address activates the account. */
  signUpPending?: boolean;
  /** Free-form JSON an administrator or an upstream provider gives the user; mapped into tokens by claim mappings. */
  attributes?: Record<string, unknown>;
}

/** A non-human identity (seed 003's "SystemUser"): holds roles, never signs in interactively. */
export interface ServiceAccount {
  id: string;
  name: string;
  description?: string;
  roles: string[];
  active: boolean;
  createdAt: number;
}

/** A named bundle of permissions on APIs, given to users and service accounts. */
export interface Role {
  name: string;
  description?: string;
  permissions: Record<string, string[]>;
}

export type KeyStatus = 'next' | 'current' | 'retired';

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  status: KeyStatus;
  /** PKCS#8 DER private key, encrypted with the key-encryption key (crypto/key-encryption.ts). */
  privateKeyEncrypted: string;
  publicJwk: Record<string, unknown>;
  createdAt: number;
  /** When a retired key may be deleted: after every token it signed has expired. */
  removeAfter?: number;
}

export type StoredTokenKind =
  | 'access_token'
  | 'refresh_token'
  | 'personal_access_token'
  | 'service_access_token'
  | 'user_token'
  | 'action_token'
  | 'initial_access_token';

/** Kinds created by hand, long-lived, listed and revoked by their owners. */
export const MANUAL_TOKEN_KINDS: readonly StoredTokenKind[] = ['personal_access_token', 'service_access_token', 'user_token', 'action_token'];

/** expires_at of credentials that live until revoked (user and action tokens, PATs without expiry). */
export const NEVER = 253402300799; // 9999-12-31T23:59:59Z

/** A token that lives in the store: everything but JWT access tokens. */
export interface StoredToken {
  /** Keyed hash of the token string: the only form in which the token is stored. */
  hash: string;
  kind: StoredTokenKind;
  jti: string;
  clientId: string;
  subject: string;
  audience: string;
  scope: string;
  issuedAt: number;
  expiresAt: number;
  revokedAt?: number;
  /** The authorization (code or consent) the token descends from: revoked together. */
  grantId?: string;
  /** When a single-use token (refresh) was used. */
  consumedAt?: number;
  /** The refresh token that replaced this one. */
  successorHash?: string;
  /** Kind-specific details (auth_time, session, a PAT's name, an action token's endpoints...). */
  details?: Record<string, unknown>;
  /** Last time the token was seen in use, recorded in batches. */
  lastUsedAt?: number;
}

/** A user's standing permission for a client: the scopes they agreed to. */
export interface Consent {
  userId: string;
  clientId: string;
  scopes: string[];
  createdAt: number;
  updatedAt: number;
}

/** A sign-in session as stored: the keyed hash of its cookie, never the cookie. */
export interface UserSession {
  /** Public id, also the ID token's `sid`: names the session in lists and URLs. */
  id: string;
  /** Keyed hash of the cookie value: how a request finds its session. */
  hash: string;
  userId: string;
  /** When the user authenticated (auth_time). */
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  /** As the browser sent it, truncated; for the user to recognise the device. */
  userAgent?: string;
  ip?: string;
  /** How the user authenticated (RFC 8176 values: pwd, otp, mfa); absent for sessions from before it was recorded. */
  amr?: string[];
}

/** A second factor a user enrolled (mfa/second-factors.ts). Only TOTP for now. */
interface FactorBase {
  id: string;
  userId: string;
  /** For the user to recognise it ("Authenticator app", or the name given to a passkey). */
  name: string;
  createdAt: number;
  lastUsedAt?: number;
}

/** An authenticator app (RFC 6238). */
export interface TotpFactor extends FactorBase {
  type: 'totp';
  /** The TOTP secret, AES-256-GCM under a key derived from the master key, bound to the user and factor (mfa/factor-secrets.ts). */
  secretEncrypted: string;
  /** The last TOTP time step accepted: codes of that step or earlier are refused (a code works once). */
  lastUsedStep?: number;
}

/** A passkey (a WebAuthn public-key credential). Nothing in it is secret: the private key never leaves the authenticator. */
export interface PasskeyFactor extends FactorBase {
  type: 'passkey';
  /** The credential ID (base64url) the authenticator returns with each signature; unique across users. */
  credentialId: string;
  /** The COSE public key (base64url) that checks its signatures. */
  publicKey: string;
  /** The signature counter last seen: a later signature must count higher, unless the authenticator counts nothing (0). */
  signCount: number;
  /** How the browser may reach the authenticator (usb, nfc, ble, internal, hybrid), as it reported them. */
  transports?: string[];
  /** Synced between devices (multiDevice, e.g. a platform passkey) or bound to one (singleDevice, e.g. a security key). */
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
}

export type UserFactor = TotpFactor | PasskeyFactor;

export type IdentityProviderType = 'oidc' | 'oauth2';
export type UpstreamClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/** Where a user's fields come from in the upstream's claims (OIDC) or userinfo JSON (OAuth 2): dot paths. */
export interface UpstreamUserMapping {
  subject: string;
  username?: string;
  name?: string;
  email?: string;
  emailVerified?: string;
}

/** Users whose upstream claim `claim` equals `value` (or is a list containing it) get `roles`. */
export interface RoleMappingRule {
  claim: string;
  value: string;
  roles: string[];
}

/** An upstream identity provider users may sign in with ("Sign in with Corp"). */
export interface IdentityProvider {
  /** Lower-case id: in URLs (`idp=`, the redirect URI) and in linked identities. */
  id: string;
  name: string;
  type: IdentityProviderType;
  /** OIDC: the issuer, for discovery and ID token validation. */
  issuer?: string;
  /** OAuth 2 (no discovery): the upstream's endpoints. */
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  userinfoEndpoint?: string;
  clientId: string;
  /** The client secret, AES-GCM under a key derived from the master key (federation/provider-secret.ts). */
  clientSecretEncrypted?: string;
  clientAuthMethod: UpstreamClientAuthMethod;
  scopes: string[];
  /** OIDC: also read the userinfo endpoint (its claims win over the ID token's). */
  userinfo: boolean;
  /** Whether a verified email from this provider may link to an existing account with that email. */
  trustEmail: boolean;
  mapping: UpstreamUserMapping;
  roleMappings: RoleMappingRule[];
  /** User attribute name → upstream claim path, copied at every sign-in. */
  attributes: Record<string, string>;
  enabled: boolean;
}

/** A user's identity at an upstream provider: the (provider, upstream subject) pair is the key. */
export interface FederatedIdentity {
  providerId: string;
  subject: string;
  userId: string;
  createdAt: number;
  lastSignInAt?: number;
  /** As the upstream last said, for the user and administrators to recognise it. */
  email?: string;
  username?: string;
}
