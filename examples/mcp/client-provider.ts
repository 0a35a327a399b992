/**
 * What an MCP client keeps for its OAuth sign-in, in memory: the MCP SDK's
 * OAuthClientProvider. Given a `clientId` URL, the client is known by its client ID
 * metadata document (`clientMetadataUrl`); without one, the SDK registers it (RFC
 * 7591) and keeps the client_id it gets. The SDK does the rest: RFC 9728 discovery
 * from the server's 401, PKCE, the token request with `resource`.
 */
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

export interface ClientDocument {
  client_id: string;
  client_name: string;
  redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  token_endpoint_auth_method: 'none';
}

/** The client ID metadata document the client publishes at its client_id URL. */
export function clientDocument(clientId: string, redirectUri: string, name = 'Notes agent (MCP example)'): ClientDocument {
  return {
    client_id: clientId,
    client_name: name,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
}

export class MemoryOAuthProvider implements OAuthClientProvider {
  /** Absent: the SDK registers the client (RFC 7591) instead. */
  readonly clientMetadataUrl?: string;
  readonly #redirectUri: string;
  readonly #onRedirect: (url: URL) => void | Promise<void>;
  #client: OAuthClientInformationMixed | undefined;
  #tokens: OAuthTokens | undefined;
  #verifier = '';

  constructor(options: { clientId?: string; redirectUri: string; onRedirect: (url: URL) => void | Promise<void> }) {
    if (options.clientId !== undefined) this.clientMetadataUrl = options.clientId;
    this.#redirectUri = options.redirectUri;
    this.#onRedirect = options.onRedirect;
  }

  get redirectUrl(): string {
    return this.#redirectUri;
  }

  get clientMetadata(): OAuthClientMetadata {
    const { client_id: _id, ...metadata } = clientDocument(this.clientMetadataUrl ?? '', this.#redirectUri);
    return metadata;
  }

  clientInformation() {
    return this.#client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.#client = info;
  }
  tokens() {
    return this.#tokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.#tokens = tokens;
  }
  redirectToAuthorization(url: URL) {
    return this.#onRedirect(url);
  }
  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier;
  }
  codeVerifier() {
    return this.#verifier;
  }
}
