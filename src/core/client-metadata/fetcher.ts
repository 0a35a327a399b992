/**
 * The port through which the engine fetches a client ID metadata document. The
 * server supplies an SSRF-safe implementation (src/server/safe-fetch.ts); tests may
 * supply their own. A refusal is a MetadataFetchError with a reason the
 * authorization endpoint shows (never the document's body).
 */

export interface FetchedDocument {
  /** The body as text (the fetcher has enforced its size limit). */
  body: string;
  contentType: string | undefined;
  cacheControl: string | undefined;
}

export type MetadataFetchFailure = 'not_https' | 'private_address' | 'dns_failed' | 'connect_failed' | 'timeout' | 'redirect' | 'http_status' | 'too_large';

export class MetadataFetchError extends Error {
  readonly reason: MetadataFetchFailure;

  constructor(reason: MetadataFetchFailure, message: string) {
    super(message);
    this.name = 'MetadataFetchError';
    this.reason = reason;
  }
}

export interface ClientMetadataFetcher {
  fetch(url: URL): Promise<FetchedDocument>;
}
