/** From the `server.clientIdMetadataDocuments` settings to the engine's option: the SSRF-safe fetcher and the policy. */
import { readFileSync } from 'node:fs';
import type { ClientMetadataOptions } from '../core/client-metadata/resolver.js';
import { ConfigError } from '../core/errors.js';
import type { BackchannelLogoutOptions } from '../core/logout/backchannel-logout.js';
import { createSafeFetcher, createSafePoster } from './safe-fetch.js';
import type { ClientIdMetadataDocumentSettings } from './settings.js';

export function clientMetadataOptions(settings: ClientIdMetadataDocumentSettings): ClientMetadataOptions {
  let ca: string | undefined;
  if (settings.caFile) {
    try {
      ca = readFileSync(settings.caFile, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `server.clientIdMetadataDocuments.caFile: cannot read ${settings.caFile} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----'))
      throw new ConfigError(`server.clientIdMetadataDocuments.caFile: ${settings.caFile} holds no PEM certificate`);
  }
  return {
    fetcher: createSafeFetcher({
      allowPrivateAddresses: settings.allowPrivateAddresses,
      maxBytes: settings.maxBytes,
      timeoutMs: settings.timeoutMs,
      ...(ca ? { ca } : {}),
    }),
    ...(settings.permissions ? { permissions: settings.permissions } : {}),
    cache: { minSeconds: settings.cache.minSeconds, maxSeconds: settings.cache.maxSeconds },
  };
}

/** From the `server.backchannelLogout` settings to the engine's option: the SSRF-safe poster and the retry schedule. */
export function backchannelLogoutOptions(settings: { allowPrivateAddresses: boolean; timeoutMs: number; retries: number }): BackchannelLogoutOptions {
  return {
    transport: createSafePoster({ allowPrivateAddresses: settings.allowPrivateAddresses, timeoutMs: settings.timeoutMs }),
    retryDelaysMs: Array.from({ length: settings.retries }, (_, i) => 1000 * 5 ** i),
  };
}
