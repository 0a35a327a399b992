/**
 * Tessera's own pages, as the engine's views port (core/ports/views.ts). The
 * server passes this to the engine when it assembles it; a host that wants its
 * own look passes another implementation of `Views`.
 */
import type { Views } from '../core/ports/views.js';
import { accountPage } from './account.js';
import { deviceCodePage, deviceDonePage } from './device.js';
import { secondFactorPage, signInNoticePage } from './second-factor.js';
import { upstreamErrorPage } from './upstream.js';
import { consentPage, errorPage, formPostPage, logoutConfirmPage, signedOutPage, signInPage } from './views.js';

export const pageViews: Views = {
  error: errorPage,
  signIn: signInPage,
  consent: consentPage,
  formPost: formPostPage,
  logoutConfirm: logoutConfirmPage,
  signedOut: signedOutPage,
  account: accountPage,
  upstreamError: upstreamErrorPage,
  deviceCode: deviceCodePage,
  deviceDone: deviceDonePage,
  secondFactor: secondFactorPage,
  signInNotice: signInNoticePage,
};
