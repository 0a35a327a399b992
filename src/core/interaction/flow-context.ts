/** Everything the browser flow (authorize, sign-in, consent, logout) uses, in one place. */
import type { AuditLog } from '../audit/audit-log.js';
import type { Catalog } from '../catalog.js';
import type { Clock } from '../clock.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import type { OwnJwtVerifier } from '../keys/verify-own-jwt.js';
import type { Api } from '../model.js';
import type {
  ConsentRepository,
  DeviceAuthorizationRepository,
  EphemeralRepository,
  FactorRepository,
  FederatedIdentityRepository,
  IdentityProviderRepository,
  RoleRepository,
  UserRepository,
} from '../ports/storage.js';
import type { Views } from '../ports/views.js';
import type { ClaimMapper } from '../tokens/claim-mapper.js';
import type { UpstreamSignIn } from '../federation/upstream-sign-in.js';
import type { AccessTokenIssuer } from '../tokens/access-token-issuer.js';
import type { IdTokenIssuer } from '../tokens/id-token-issuer.js';
import type { RefreshTokenIssuer } from '../tokens/refresh-token-issuer.js';
import type { PushedRequests } from '../authorize/pushed-requests.js';
import type { RequestObjectVerifier } from '../authorize/request-objects.js';
import type { SecondFactors } from '../mfa/second-factors.js';
import type { SecondSteps } from '../mfa/second-step.js';
import type { Passkeys } from '../mfa/passkeys.js';
import type { PendingAuthorizations } from './pending-authorizations.js';
import type { SessionStore } from './sessions.js';
import type { SignInThrottle } from './sign-in-throttle.js';
import type { BackchannelLogout } from '../logout/backchannel-logout.js';

/**
 * The storage the browser flow reads and writes directly (the rest goes through the
 * services below: sessions, pending requests, second factors). A page that needs
 * another repository adds it here; the engine passes the whole store, which has them all.
 */
export type FlowStorage = UserRepository &
  RoleRepository &
  ConsentRepository &
  EphemeralRepository &
  IdentityProviderRepository &
  FederatedIdentityRepository &
  FactorRepository & {
    /** The device flow's requests (RFC 8628), approved at the end of consent. */
    readonly deviceAuthorizations: DeviceAuthorizationRepository;
  };

export interface FlowContext {
  issuer: string;
  store: FlowStorage;
  catalog: Catalog;
  clock: Clock;
  hasher: SecretHasher;
  jwts: OwnJwtVerifier;
  sessions: SessionStore;
  pending: PendingAuthorizations;
  /** Requests pushed to /par, waiting for their /authorize (RFC 9126). */
  pushedRequests: PushedRequests;
  /** Verifies signed request objects (RFC 9101) with the client's keys. */
  requestObjects: RequestObjectVerifier;
  throttle: SignInThrottle;
  /** Links the sign-in page offers besides the form, when mail makes them possible. */
  signInLinks: { forgotPassword?: string; signUp?: string };
  accessTokens: AccessTokenIssuer;
  idTokens: IdTokenIssuer;
  refreshTokens: RefreshTokenIssuer;
  /** The audience of access tokens that only serve the userinfo endpoint. */
  userinfoApi: Api;
  audit: AuditLog;
  /** The pages shown to people (core/ports/views.ts). */
  views: Views;
  claims: ClaimMapper;
  /** Round trips to upstream identity providers. */
  upstream: UpstreamSignIn;
  /** Users' second factors and the MFA policy. */
  mfa: SecondFactors;
  /** Sign-ins waiting for their second factor. */
  secondSteps: SecondSteps;
  /** Passkeys (WebAuthn): adding them, and signing in with one, alone or as the second step. */
  passkeys: Passkeys;
  /** OIDC Back-Channel Logout, when configured: notes which clients a session signed into. */
  backchannelLogout?: BackchannelLogout;
}
