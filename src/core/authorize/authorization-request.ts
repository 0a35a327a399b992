/**
 * A validated authorization request: what the steps in this folder build from the
 * raw parameters, what a pending sign-in stores, and what completion answers.
 */
import type { Api, Client } from '../model.js';
import type { Params } from '../request.js';

export type ResponseMode = 'query' | 'fragment' | 'form_post';

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  /** Whether redirect_uri was sent: then the token request must send the same one. */
  redirectUriGiven: boolean;
  /** The response_type values, sorted: 'code', 'code id_token', 'id_token token'... */
  responseType: string;
  responseMode: ResponseMode;
  state?: string;
  nonce?: string;
  /** Granted-able scopes: OpenID Connect ones and those of the API. */
  scopes: string[];
  /** The API the access token is for, if any. */
  api?: string;
  codeChallenge?: string;
  /** RFC 9449 §10: the thumbprint of the DPoP key the code must be redeemed with. */
  dpopJkt?: string;
  prompt: string[];
  maxAge?: number;
  /** acr_values Tessera knows, in the client's order of preference (packages/resource-server/src/shared/auth-level.ts). */
  acrValues?: string[];
  loginHint?: string;
  /** The subject named by a valid id_token_hint. */
  hintSubject?: string;
  /** A silent sign-in of a sandboxed client: no consent, a sandbox subject. */
  sandbox?: boolean;
}

/** What the steps share while they run. */
export interface AuthorizeState {
  params: Params;
  client?: Client;
  api?: Api;
  /** Known once redirect_uri and response mode are settled; from then on errors go back to the client. */
  redirectTarget?: { redirectUri: string; responseMode: ResponseMode };
  request: Partial<AuthorizationRequest>;
  /** The parameters were pushed by the authenticated client (RFC 9126), at /par or through request_uri. */
  pushed?: boolean;
}

export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

export function hasResponseType(request: Pick<AuthorizationRequest, 'responseType'>, type: 'code' | 'token' | 'id_token'): boolean {
  return request.responseType.split(' ').includes(type);
}
