/**
 * A round trip to an upstream provider, whatever it is for (an authorization's
 * sign-in, the account page's sign-in, linking from the account page). Before the
 * browser leaves, the PKCE verifier, nonce and purpose are kept in the store under
 * the `state` value, bound to the browser's cookie, for ten minutes and for one use:
 * a callback with another state, from another browser, or a second time, is refused.
 * A callback that carries no browser cookie at all (the answer opened in another
 * browser or app) completes, marked `sameBrowser: false`: the caller lets it go on only
 * to a second factor that the account already has (endpoints/upstream.ts).
 */
import type { Clock } from '../clock.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import type { Client, IdentityProvider } from '../model.js';
import type { EphemeralRepository, IdentityProviderRepository } from '../ports/storage.js';
import { upstreamRedirectUri } from './to-identity-provider.js';
import type { CallbackParams, UpstreamClients } from './upstream-client.js';
import { UpstreamError } from './upstream-error.js';
import { toProfile, type UpstreamProfile } from './upstream-profile.js';

const TTL = 600;
const KIND = 'upstream';

export type UpstreamPurpose = { kind: 'authorize'; pendingId: string } | { kind: 'account' } | { kind: 'link'; userId: string };

interface UpstreamState {
  providerId: string;
  purpose: UpstreamPurpose;
  verifier: string;
  nonce?: string;
  browserHash: string;
}

export interface CompletedUpstream {
  provider: IdentityProvider;
  purpose: UpstreamPurpose;
  profile: UpstreamProfile;
  /** Whether the callback came with the cookie of the browser that started it (false: with no browser cookie at all). */
  sameBrowser: boolean;
}

export class UpstreamSignIn {
  readonly #issuer: string;
  readonly #store: EphemeralRepository & IdentityProviderRepository;
  readonly #hasher: SecretHasher;
  readonly #clock: Clock;
  readonly #clients: UpstreamClients;

  constructor(deps: { issuer: string; store: EphemeralRepository & IdentityProviderRepository; hasher: SecretHasher; clock: Clock; clients: UpstreamClients }) {
    this.#issuer = deps.issuer;
    this.#store = deps.store;
    this.#hasher = deps.hasher;
    this.#clock = deps.clock;
    this.#clients = deps.clients;
  }

  redirectUri(providerId: string): string {
    return upstreamRedirectUri(this.#issuer, providerId);
  }

  /** The enabled providers a client offers (all of them when it does not say; all for the account page). */
  async offered(client?: Pick<Client, 'identityProviders'>): Promise<IdentityProvider[]> {
    const enabled = (await this.#store.listIdentityProviders()).filter((p) => p.enabled);
    const allowed = client?.identityProviders;
    return allowed ? enabled.filter((p) => allowed.includes(p.id)) : enabled;
  }

  async find(providerId: string | undefined, client?: Pick<Client, 'identityProviders'>): Promise<IdentityProvider | undefined> {
    return (await this.offered(client)).find((p) => p.id === providerId);
  }

  /** Where to send the browser; throws UpstreamError when the upstream cannot be reached. */
  async begin(provider: IdentityProvider, purpose: UpstreamPurpose, browser: string): Promise<string> {
    const start = await this.#clients.begin(provider, this.redirectUri(provider.id));
    const state: UpstreamState = { providerId: provider.id, purpose, verifier: start.verifier, browserHash: this.#hasher.hash(browser) };
    if (start.nonce !== undefined) state.nonce = start.nonce;
    await this.#store.putRecord(KIND, this.#hasher.hash(start.state), state, this.#clock.now() + TTL);
    return start.url;
  }

  /**
   * Checks the callback against what began it, then exchanges the code. Undefined when
   * the state is unknown, expired, used, of another provider or of another browser;
   * `sameBrowser: false` when the callback carries no browser cookie.
   */
  async complete(providerId: string, params: CallbackParams, browser: string | undefined): Promise<CompletedUpstream | undefined> {
    const stateValue = params.state;
    if (!stateValue || stateValue.length > 200) return undefined;
    const key = this.#hasher.hash(stateValue);
    // Looked at first, so that another browser's request does not use up the sign-in of the one that started it.
    const seen = await this.#store.getRecord<UpstreamState>(KIND, key, this.#clock.now());
    const sameBrowser = browser !== undefined && seen !== undefined && this.#hasher.matches(browser, seen.browserHash);
    if (!seen || seen.providerId !== providerId || (browser !== undefined && !sameBrowser)) return undefined;
    const record = await this.#store.consumeRecord<UpstreamState>(KIND, key, this.#clock.now());
    if (!record || !record.firstUse) return undefined;
    const state = record.doc;
    try {
      const provider = await this.#store.getIdentityProvider(providerId);
      if (!provider || !provider.enabled) throw new UpstreamError('misconfigured', `provider ${providerId} is no longer enabled`);
      const claims = await this.#clients.finish(provider, this.redirectUri(provider.id), params, {
        state: stateValue,
        verifier: state.verifier,
        ...(state.nonce !== undefined ? { nonce: state.nonce } : {}),
      });
      return { provider, purpose: state.purpose, profile: toProfile(provider, claims), sameBrowser };
    } catch (error) {
      if (error instanceof UpstreamError) error.purpose = state.purpose;
      throw error;
    }
  }
}
