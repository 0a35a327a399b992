/**
 * The engine's options from the server settings (settings.ts): the one place a setting
 * becomes engine behaviour, so a new setting is wired once for every process of
 * `tessera start` (and not by hand at each place that builds an engine).
 */
import type { MailOptions } from '../core/mail/mail-context.js';
import { mfaPolicyFrom } from '../core/mfa/mfa-policy.js';
import type { Store } from '../core/ports/storage.js';
import { ADMIN_ROLE } from '../management/management-api.js';
import { pageViews } from '../pages/page-views.js';
import { backchannelLogoutOptions, clientMetadataOptions } from './client-metadata-setup.js';
import type { SharedServices } from './open-shared.js';
import type { ServerSettings } from './settings.js';
import type { EngineOptions } from './tessera-server.js';

export function engineOptionsFrom(
  settings: ServerSettings,
  opened: {
    store: Store;
    masterKey: Buffer;
    shared: SharedServices;
    mail?: MailOptions | undefined;
    warn: (message: string, fields?: Record<string, unknown>) => void;
  },
): EngineOptions {
  const { shared, mail } = opened;
  return {
    issuer: settings.issuer,
    store: opened.store,
    masterKey: opened.masterKey,
    views: pageViews,
    cacheTtlSeconds: settings.cacheTtlSeconds,
    refreshTokens: { reuseGrace: settings.refreshTokenReuseGrace },
    clientAssertions: settings.clientAssertions,
    pushedRequests: settings.pushedRequests,
    mfa: mfaPolicyFrom(settings.mfa, [ADMIN_ROLE]),
    ...(settings.webauthn ? { webauthn: settings.webauthn } : {}),
    deviceFlow: settings.deviceFlow,
    changes: shared.changes,
    attempts: shared.attempts,
    dpop: { iatWindow: settings.dpop.iatWindow, nonce: settings.dpop.nonce, ...(shared.replay ? { replay: shared.replay } : {}) },
    audit: { warn: opened.warn },
    registration: settings.registration,
    ...(mail ? { mail } : {}),
    ...(settings.clientIdMetadataDocuments ? { clientMetadataDocuments: clientMetadataOptions(settings.clientIdMetadataDocuments) } : {}),
    ...(settings.backchannelLogout ? { backchannelLogout: backchannelLogoutOptions(settings.backchannelLogout) } : {}),
  };
}
