/** What grant handlers may use: only the services they need, never HTTP or a driver. */
import type { AuditLog } from '../audit/audit-log.js';
import type { Catalog } from '../catalog.js';
import type { Clock } from '../clock.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import type { Api } from '../model.js';
import type { Store } from '../ports/storage.js';
import type { ClaimMapper } from '../tokens/claim-mapper.js';
import type { AccessTokenIssuer } from '../tokens/access-token-issuer.js';
import type { IdTokenIssuer } from '../tokens/id-token-issuer.js';
import type { RefreshTokenIssuer } from '../tokens/refresh-token-issuer.js';

export interface TokenEndpointContext {
  catalog: Catalog;
  accessTokens: AccessTokenIssuer;
  clock: Clock;
  store: Store;
  hasher: SecretHasher;
  idTokens: IdTokenIssuer;
  refreshTokens: RefreshTokenIssuer;
  userinfoApi: Api;
  audit: AuditLog;
  claims: ClaimMapper;
  /** DPoP (RFC 9449): the key this request proved possession of; its tokens are bound to it. */
  dpop?: { jkt: string };
}
