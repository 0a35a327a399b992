/**
 * A grant type handler: what the token endpoint runs for one `grant_type`. Each lives
 * in its own file and is listed in the registry (grants/index.ts).
 */
import type { Client } from '../model.js';
import type { EngineRequest } from '../request.js';
import type { TokenEndpointContext } from './context.js';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope?: string;
  [extra: string]: unknown;
}

/** What a grant issued, for the audit log: kinds and ids (jti), never the tokens. */
export interface IssuedTokens {
  subject: string;
  api?: string;
  scopes: string[];
  tokens: { kind: 'access_token' | 'refresh_token' | 'id_token'; id?: string }[];
  details?: Record<string, unknown>;
}

export interface GrantResult {
  body: TokenResponse;
  issued: IssuedTokens;
}

export interface GrantHandler {
  grantType: string;
  /** Parameters the handler reads, besides grant_type and client authentication. */
  parameters: readonly string[];
  handle(context: TokenEndpointContext, client: Client, request: EngineRequest): Promise<GrantResult>;
}
