/**
 * Talks to upstream providers through openid-client (a certified relying party):
 * OpenID Connect discovery, the authorization URL with PKCE (S256), state and nonce,
 * the code exchange with ID token validation (signature, issuer, audience, expiry,
 * nonce; signatures are verified against the published keys even over TLS), and userinfo. Plain OAuth 2 providers (GitHub) get the same code flow with
 * their configured endpoints, and their userinfo URL read as a protected resource.
 * Discovered configurations are cached per provider version for an hour.
 * openid-client is loaded on the first upstream sign-in, not at start: a deployment
 * without upstream providers never pays its memory.
 */
import type * as Oidc from 'openid-client';
import { isLoopbackUrl } from '../config/loopback-url.js';
import type { IdentityProvider } from '../model.js';
import type { ProviderSecrets } from './provider-secret.js';
import { UpstreamError } from './upstream-error.js';

const CACHE_MS = 3600_000;
const TIMEOUT_SECONDS = 10;
const MAX_USERINFO_BYTES = 64 * 1024;

type OidcModule = typeof Oidc;
let loaded: Promise<OidcModule> | undefined;
const openidClient = (): Promise<OidcModule> => (loaded ??= import('openid-client'));

export interface UpstreamStart {
  url: string;
  state: string;
  verifier: string;
  nonce?: string;
}

/** What the callback carries, as received. */
export type CallbackParams = Record<string, string>;

export class UpstreamClients {
  readonly #secrets: ProviderSecrets;
  readonly #cache = new Map<string, { fingerprint: string; config: Oidc.Configuration; until: number }>();

  constructor(secrets: ProviderSecrets) {
    this.#secrets = secrets;
  }

  async begin(provider: IdentityProvider, redirectUri: string): Promise<UpstreamStart> {
    const oidc = await openidClient();
    const config = await this.#configuration(provider);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const parameters: Record<string, string> = {
      redirect_uri: redirectUri,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    };
    if (provider.scopes.length > 0) parameters.scope = provider.scopes.join(' ');
    const start: UpstreamStart = { url: '', state, verifier };
    if (provider.type === 'oidc') parameters.nonce = start.nonce = oidc.randomNonce();
    start.url = oidc.buildAuthorizationUrl(config, parameters).href;
    return start;
  }

  /** Exchanges the code and returns the upstream's claims about the user (ID token, then userinfo). */
  async finish(
    provider: IdentityProvider,
    redirectUri: string,
    params: CallbackParams,
    expected: Omit<UpstreamStart, 'url'>,
  ): Promise<Record<string, unknown>> {
    const oidc = await openidClient();
    const config = await this.#configuration(provider);
    const callback = new URL(redirectUri);
    for (const [name, value] of Object.entries(params)) callback.searchParams.set(name, value);
    try {
      const tokens = await oidc.authorizationCodeGrant(
        config,
        callback,
        {
          pkceCodeVerifier: expected.verifier,
          expectedState: expected.state,
          ...(expected.nonce !== undefined ? { expectedNonce: expected.nonce, idTokenExpected: true } : {}),
        },
        { redirect_uri: redirectUri },
      );
      if (provider.type === 'oidc') {
        const claims: Record<string, unknown> = { ...tokens.claims() };
        if (provider.userinfo) Object.assign(claims, await oidc.fetchUserInfo(config, tokens.access_token, String(claims.sub)));
        return claims;
      }
      return await this.#oauth2Userinfo(oidc, config, provider, tokens.access_token);
    } catch (error) {
      throw classify(oidc, error);
    }
  }

  async #oauth2Userinfo(oidc: OidcModule, config: Oidc.Configuration, provider: IdentityProvider, accessToken: string): Promise<Record<string, unknown>> {
    const headers = new Headers({ accept: 'application/json' });
    const response = await oidc.fetchProtectedResource(config, accessToken, new URL(provider.userinfoEndpoint!), 'GET', undefined, headers);
    if (response.status === 401 || response.status === 403) throw new UpstreamError('misconfigured', `userinfo answered ${response.status}`);
    if (!response.ok) throw new UpstreamError('unreachable', `userinfo answered ${response.status}`);
    const text = await response.text();
    if (text.length > MAX_USERINFO_BYTES) throw new UpstreamError('rejected', 'userinfo response too large');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new UpstreamError('rejected', 'userinfo is not JSON');
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new UpstreamError('rejected', 'userinfo is not a JSON object');
    return body as Record<string, unknown>;
  }

  async #configuration(provider: IdentityProvider): Promise<Oidc.Configuration> {
    const oidc = await openidClient();
    const fingerprint = JSON.stringify(provider);
    const cached = this.#cache.get(provider.id);
    if (cached && cached.fingerprint === fingerprint && cached.until > Date.now()) return cached.config;
    const auth = this.#clientAuth(oidc, provider);
    const insecure = isLoopbackUrl(provider.issuer ?? provider.authorizationEndpoint!);
    let config: Oidc.Configuration;
    if (provider.type === 'oidc') {
      try {
        // The issue asks for signature checks even over TLS (openid-client skips them there by default).
        config = await oidc.discovery(new URL(provider.issuer!), provider.clientId, undefined, auth, {
          execute: insecure ? [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks] : [oidc.enableNonRepudiationChecks],
          timeout: TIMEOUT_SECONDS,
        });
      } catch (error) {
        throw new UpstreamError('unreachable', `discovery at ${provider.issuer} failed: ${(error as Error).message}`);
      }
    } else {
      const server: Oidc.ServerMetadata = {
        issuer: new URL(provider.authorizationEndpoint!).origin,
        authorization_endpoint: provider.authorizationEndpoint!,
        token_endpoint: provider.tokenEndpoint!,
      };
      config = new oidc.Configuration(server, provider.clientId, undefined, auth);
      if (insecure) oidc.allowInsecureRequests(config);
    }
    config.timeout = TIMEOUT_SECONDS;
    this.#cache.set(provider.id, { fingerprint, config, until: Date.now() + CACHE_MS });
    return config;
  }

  #clientAuth(oidc: OidcModule, provider: IdentityProvider): Oidc.ClientAuth {
    if (provider.clientAuthMethod === 'none') return oidc.None();
    const secret = this.#secrets.decrypt(provider.id, provider.clientSecretEncrypted ?? '');
    return provider.clientAuthMethod === 'client_secret_post' ? oidc.ClientSecretPost(secret) : oidc.ClientSecretBasic(secret);
  }
}

/** openid-client's errors, sorted into what the user and the administrator need to know. */
function classify(oidc: OidcModule, error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (error instanceof oidc.AuthorizationResponseError) {
    return new UpstreamError(
      error.error === 'access_denied' ? 'denied' : 'misconfigured',
      `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`,
    );
  }
  if (error instanceof oidc.ResponseBodyError) {
    const failure = error.error === 'invalid_client' || error.error === 'unauthorized_client' ? 'misconfigured' : 'rejected';
    return new UpstreamError(failure, `token endpoint: ${error.error}${error.error_description ? `: ${error.error_description}` : ''}`);
  }
  if (error instanceof oidc.ClientError) return new UpstreamError('rejected', `${error.code ?? 'check failed'}: ${error.message}`);
  const message = (error as Error)?.message ?? String(error);
  return new UpstreamError('unreachable', message);
}
