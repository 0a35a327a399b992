/**
 * Why a sign-in at an upstream provider did not work, in terms a person and an
 * administrator can act on. Never carries a token or secret; `detail` is for the
 * audit log (the upstream's error code, the check that failed).
 */
import type { UpstreamPurpose } from './upstream-sign-in.js';

export type UpstreamFailure =
  /** The user said no at the upstream (its `access_denied`). */
  | 'denied'
  /** The upstream could not be reached or answered garbage. */
  | 'unreachable'
  /** The upstream's answer did not pass a check: state, ID token signature, issuer, audience, nonce, expiry. */
  | 'rejected'
  /** The upstream refused Tessera itself (wrong client secret, redirect URI not registered...). */
  | 'misconfigured';

export class UpstreamError extends Error {
  readonly failure: UpstreamFailure;
  readonly detail: string;
  /** What the round trip was for, once its state was recognised. */
  purpose?: UpstreamPurpose;

  constructor(failure: UpstreamFailure, detail: string) {
    super(`${failure}: ${detail}`);
    this.failure = failure;
    this.detail = detail.slice(0, 300);
  }
}
