/**
 * The issuer's metadata (OpenID Connect Discovery), fetched once and kept. A failed
 * fetch is not kept: the next request tries again.
 */
import { fetchJson, isObject, UpstreamError, type FetchLike } from './fetch-json.js';

export interface IssuerEndpoints {
  jwksUri: string;
  introspectionEndpoint: string | undefined;
}

export class IssuerMetadata {
  readonly #issuer: string;
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;
  readonly #overrides: Partial<IssuerEndpoints>;
  #pending: Promise<IssuerEndpoints> | undefined;

  constructor(options: { issuer: string; fetch: FetchLike; timeoutMs: number; overrides: Partial<IssuerEndpoints> }) {
    this.#issuer = options.issuer;
    this.#fetch = options.fetch;
    this.#timeoutMs = options.timeoutMs;
    this.#overrides = options.overrides;
  }

  endpoints(): Promise<IssuerEndpoints> {
    this.#pending ??= this.#discover().catch((error: unknown) => {
      this.#pending = undefined;
      throw error;
    });
    return this.#pending;
  }

  async #discover(): Promise<IssuerEndpoints> {
    const { jwksUri, introspectionEndpoint } = this.#overrides;
    if (jwksUri !== undefined && introspectionEndpoint !== undefined) return { jwksUri, introspectionEndpoint };
    const url = `${this.#issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const doc = await fetchJson(this.#fetch, url, { headers: { accept: 'application/json' } }, this.#timeoutMs);
    // RFC 8414 §3.3: the document must name the issuer we asked about.
    if (!isObject(doc) || doc.issuer !== this.#issuer) throw new UpstreamError(`${url} describes another issuer`);
    const discovered = {
      jwksUri: typeof doc.jwks_uri === 'string' ? doc.jwks_uri : undefined,
      introspectionEndpoint: typeof doc.introspection_endpoint === 'string' ? doc.introspection_endpoint : undefined,
    };
    const resolved = { jwksUri: jwksUri ?? discovered.jwksUri, introspectionEndpoint: introspectionEndpoint ?? discovered.introspectionEndpoint };
    if (resolved.jwksUri === undefined) throw new UpstreamError(`${url} has no jwks_uri`);
    return { jwksUri: resolved.jwksUri, introspectionEndpoint: resolved.introspectionEndpoint };
  }
}
