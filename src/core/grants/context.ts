/** What grant handlers may use: only the services they need, never HTTP or a driver. */
import type { AuditLog } from '../audit/audit-log.js';
import type { Catalog } from '../catalog.js';
import type { Clock } from '../clock.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import type { Api } from '../model.js';
import type {
  ConsentRepository,
  DeviceAuthorizationRepository,
  EphemeralRepository,
  RevocationRepository,
  RoleRepository,
  TokenRepository,
  UserRepository,
} from '../ports/storage.js';
import type { ClaimMapper } from '../tokens/claim-mapper.js';
import type { AccessTokenIssuer } from '../tokens/access-token-issuer.js';
import type { IdTokenIssuer } from '../tokens/id-token-issuer.js';
import type { RefreshTokenIssuer } from '../tokens/refresh-token-issuer.js';

/**
 * The storage the grant handlers use, and nothing more (the way fosite's handlers
 * declare theirs): a grant that needs another repository adds it here. The whole
 * store satisfies it, so the engine passes the one object it has, at no cost per request.
 */
export type GrantStorage =
  // authorization_code: the code record; a replayed code revokes its grant
  EphemeralRepository &
    // refresh_token: rotation, reuse detection, grant revocation
    TokenRepository &
    RevocationRepository &
    // every user grant: the user now, their consent and the roles that bound the scopes
    Pick<UserRepository, 'getUser'> &
    Pick<ConsentRepository, 'getConsent'> &
    Pick<RoleRepository, 'getRole'> & {
      // device_code: the device's request, polled and consumed
      readonly deviceAuthorizations: DeviceAuthorizationRepository;
    };

export interface TokenEndpointContext {
  catalog: Catalog;
  accessTokens: AccessTokenIssuer;
  clock: Clock;
  store: GrantStorage;
  hasher: SecretHasher;
  idTokens: IdTokenIssuer;
  refreshTokens: RefreshTokenIssuer;
  userinfoApi: Api;
  audit: AuditLog;
  claims: ClaimMapper;
  /** DPoP (RFC 9449): the key this request proved possession of; its tokens are bound to it. */
  dpop?: { jkt: string };
}
