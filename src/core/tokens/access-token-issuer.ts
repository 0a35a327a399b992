/**
 * Issues access tokens in the format the API asks for:
 *   jwt        RFC 9068 (`typ: at+jwt`), verifiable by the API on its own;
 *   reference  an opaque `tsr_at_` string; only its keyed hash is stored, and the API
 *              learns what it means through introspection.
 */
import type { Clock } from '../clock.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import type { KeyRing } from '../keys/key-ring.js';
import type { Api } from '../model.js';
import type { TokenRepository } from '../ports/storage.js';
import { timeOrderedId } from '../crypto/time-ordered-id.js';
import { acrOf } from '@tessera/resource-server/shared';
import type { ClaimMapper } from './claim-mapper.js';
import { mintReferenceAccessToken, storedTokenKey } from './stored-token-key.js';
import { invalidDpopProof } from '../dpop/proof.js';

export interface AccessTokenRequest {
  api: Api;
  clientId: string;
  /** The user, service account, or for client_credentials the client itself. */
  subject: string;
  scopes: string[];
  /** The grant (authorization) the token belongs to; revoked with it. */
  grantId?: string;
  /** Issued to a sandboxed sign-in: resource servers keep its data apart. */
  sandbox?: boolean;
  /** How the user signed in, for tokens issued from a sign-in: auth_time, amr and acr (RFC 9068 §2.2.1). */
  authentication?: Authentication;
  /** DPoP (RFC 9449): the thumbprint of the key the token is bound to (`cnf.jkt`). */
  jkt?: string;
}

/** When and how a user authenticated: the session's auth_time and methods (RFC 8176). */
export interface Authentication {
  authTime: number;
  amr: string[];
}

/** The claims that say how the user signed in: auth_time, acr, and amr when known. */
export function authenticationClaims(auth: Authentication): { auth_time: number; acr: string; amr?: string[] } {
  return { auth_time: auth.authTime, acr: acrOf(auth.amr), ...(auth.amr.length > 0 ? { amr: auth.amr } : {}) };
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresIn: number;
  expiresAt: number;
  format: Api['format'];
}

/** An issuer whose every token is bound to one DPoP key: what the token endpoint hands a grant given a proof. */
export function boundIssuer(issuer: AccessTokenIssuer, jkt: string): AccessTokenIssuer {
  return Object.assign(Object.create(issuer) as AccessTokenIssuer, { issue: (request: AccessTokenRequest) => issuer.issue({ ...request, jkt }) });
}

export class AccessTokenIssuer {
  private readonly issuer: string;
  private readonly keys: KeyRing;
  private readonly tokens: TokenRepository;
  private readonly hasher: SecretHasher;
  private readonly clock: Clock;
  private readonly claims: ClaimMapper | undefined;

  constructor(issuer: string, keys: KeyRing, tokens: TokenRepository, hasher: SecretHasher, clock: Clock, claims?: ClaimMapper) {
    this.claims = claims;
    this.issuer = issuer;
    this.keys = keys;
    this.tokens = tokens;
    this.hasher = hasher;
    this.clock = clock;
  }

  async issue(request: AccessTokenRequest): Promise<IssuedAccessToken> {
    const { api } = request;
    if (api.requireDpop && request.jkt === undefined) throw invalidDpopProof(`tokens for ${api.identifier} must be bound with a DPoP proof`);
    const iat = this.clock.now();
    const exp = iat + api.ttl;
    const jti = timeOrderedId();
    const scope = request.scopes.join(' ');
    // A sandboxed sign-in must not learn about the user behind it. A client acting for
    // itself (client ids never equal a user's or service account's id) has nothing to
    // map: no lookup on the client-credentials path.
    const mapped = request.sandbox || !this.claims || request.subject === request.clientId ? {} : await this.claims.forAccessToken(api, request.subject);
    const hasMapped = Object.keys(mapped).length > 0;
    if (api.format === 'jwt') {
      const token = this.keys.signer(api.alg).sign('at+jwt', {
        ...mapped,
        iss: this.issuer,
        sub: request.subject,
        aud: api.identifier,
        exp,
        iat,
        jti,
        client_id: request.clientId,
        scope,
        ...(request.authentication ? authenticationClaims(request.authentication) : {}),
        ...(request.sandbox ? { sandbox: true } : {}),
        ...(request.jkt !== undefined ? { cnf: { jkt: request.jkt } } : {}),
      });
      return { token, jti, expiresIn: api.ttl, expiresAt: exp, format: 'jwt' };
    }
    const token = mintReferenceAccessToken();
    await this.tokens.insertToken({
      hash: storedTokenKey(this.hasher, token),
      kind: 'access_token',
      jti,
      clientId: request.clientId,
      subject: request.subject,
      audience: api.identifier,
      scope,
      issuedAt: iat,
      expiresAt: exp,
      ...(request.grantId !== undefined ? { grantId: request.grantId } : {}),
      ...(request.sandbox || hasMapped || request.authentication || request.jkt !== undefined
        ? {
            details: {
              ...(request.sandbox ? { sandbox: true } : hasMapped ? { claims: mapped } : {}),
              ...(request.authentication ? { authentication: request.authentication } : {}),
              ...(request.jkt !== undefined ? { jkt: request.jkt } : {}),
            },
          }
        : {}),
    });
    return { token, jti, expiresIn: api.ttl, expiresAt: exp, format: 'reference' };
  }
}
