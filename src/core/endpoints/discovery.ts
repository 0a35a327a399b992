/**
 * Authorization server metadata: RFC 8414 at /.well-known/oauth-authorization-server and
 * OpenID Connect Discovery at /.well-known/openid-configuration. It lists only what
 * this server really supports.
 */
import { REQUEST_OBJECT_ALGS } from '../authorize/request-objects.js';
import type { CLIENT_AUTH_METHODS } from '../model.js';
import { ACR_VALUES } from '@tessera/resource-server/shared';

export interface DiscoveryInput {
  issuer: string;
  grantTypes: string[];
  scopes: string[];
  signingAlgs: string[];
  responseTypes: readonly string[];
  /** Every client must use pushed authorization requests (RFC 9126 §5). */
  requirePushedAuthorizationRequests: boolean;
  /** client_ids that are URLs of client ID metadata documents are accepted. */
  clientIdMetadataDocuments?: boolean;
  /** Dynamic client registration is open (RFC 7591): advertise registration_endpoint. */
  registration?: boolean;
  /** Algorithms accepted for DPoP proofs (RFC 9449 §5.1). */
  dpopAlgs: readonly string[];
  /** Logout tokens are POSTed to clients' back-channel logout URIs (OIDC Back-Channel Logout 1.0 §2.1). */
  backchannelLogout?: boolean;
}

type AuthMethod = (typeof CLIENT_AUTH_METHODS)[number];
const AUTH_METHODS: AuthMethod[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];
const ASSERTION_ALGS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];

export function discoveryDocument(input: DiscoveryInput): Record<string, unknown> {
  const base = input.issuer.replace(/\/$/, '');
  return {
    issuer: input.issuer,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    userinfo_endpoint: `${base}/userinfo`,
    end_session_endpoint: `${base}/logout`,
    jwks_uri: `${base}/jwks`,
    introspection_endpoint: `${base}/introspect`,
    revocation_endpoint: `${base}/revoke`,
    pushed_authorization_request_endpoint: `${base}/par`,
    require_pushed_authorization_requests: input.requirePushedAuthorizationRequests,
    device_authorization_endpoint: `${base}/device_authorization`,
    grant_types_supported: input.grantTypes,
    response_types_supported: input.responseTypes,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: input.scopes,
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'amr',
      'nonce',
      'sid',
      'at_hash',
      'c_hash',
      'name',
      'preferred_username',
      'email',
      'email_verified',
    ],
    subject_types_supported: ['public'],
    // One factor, then two (@tessera/resource-server/shared, auth-level.ts); asked for with acr_values at /authorize.
    acr_values_supported: [...ACR_VALUES],
    // Every algorithm Tessera signs with: verifiers such as express-oauth2-jwt-bearer
    // take their allow-list for access tokens from here.
    id_token_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA'],
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    claims_parameter_supported: false,
    // Signed request objects (RFC 9101) by value; request_uri only as /par's URNs, never fetched from a client's URL.
    request_parameter_supported: true,
    request_object_signing_alg_values_supported: REQUEST_OBJECT_ALGS,
    request_uri_parameter_supported: false,
    authorization_response_iss_parameter_supported: true,
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS.filter((m) => m !== 'none'),
    introspection_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    revocation_endpoint_auth_methods_supported: AUTH_METHODS,
    revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    access_token_signing_alg_values_supported: input.signingAlgs,
    ...(input.clientIdMetadataDocuments ? { client_id_metadata_document_supported: true } : {}),
    ...(input.registration ? { registration_endpoint: `${base}/register` } : {}),
    dpop_signing_alg_values_supported: input.dpopAlgs,
    ...(input.backchannelLogout ? { backchannel_logout_supported: true, backchannel_logout_session_supported: true } : {}),
  };
}
