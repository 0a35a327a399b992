/**
 * Deletes what has run out: tokens, sign-in sessions, flow records (pending sign-ins,
 * codes, mailed links), revocations of expired JWTs, replay markers, and mail sent a week ago. Without it they would only
 * ever accumulate. Every instance may sweep: the deletes are idempotent, so several
 * instances sweeping at once cost a little and break nothing.
 *
 * Tokens are kept for a grace period after they expire, so that introspection and
 * `tessera dev inspect` can still say "expired" rather than "unknown" for a while.
 */
import type { Clock } from './clock.js';
import type { Store } from './ports/storage.js';

export type SweepCounts = Record<'tokens' | 'sessions' | 'records' | 'revocations' | 'markers' | 'mail' | 'logoutDeliveries' | 'deviceAuthorizations', number>;

/** Sent mail stays in the outbox this long (for the console), then goes. */
const SENT_MAIL_KEPT = 7 * 86_400;
/** Expired device authorizations stay this long. */
const DEVICE_AUTHORIZATIONS_KEPT = 3600;

export interface HousekeepingOptions {
  /** Seconds an expired token is kept. Default one day. */
  tokenGraceSeconds?: number;
  /** Milliseconds between sweeps. Default ten minutes. */
  intervalMs?: number;
}

type ExpiringStore = Pick<
  Store,
  | 'deleteExpiredTokens'
  | 'deleteExpiredSessions'
  | 'deleteExpiredRecords'
  | 'deleteExpiredRevocations'
  | 'deleteExpiredMarkers'
  | 'outbox'
  | 'logoutOutbox'
  | 'deviceAuthorizations'
>;

export class Housekeeping {
  readonly #store: ExpiringStore;
  readonly #clock: Clock;
  readonly #graceSeconds: number;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<SweepCounts> | undefined;

  constructor(store: ExpiringStore, clock: Clock, options: HousekeepingOptions = {}) {
    this.#store = store;
    this.#clock = clock;
    this.#graceSeconds = options.tokenGraceSeconds ?? 86_400;
    this.#intervalMs = options.intervalMs ?? 600_000;
  }

  /** One sweep; a sweep asked for while one runs joins it. */
  sweep(): Promise<SweepCounts> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Sweeps now and then every interval, until `stop`. Failures go to `onError`; the next sweep retries. */
  start(onError: (error: unknown) => void = () => {}): void {
    this.stop();
    const run = () => void this.sweep().catch(onError);
    run();
    this.#timer = setInterval(run, this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #sweep(): Promise<SweepCounts> {
    const now = this.#clock.now();
    // One after the other: on SQLite each delete holds the write lock, briefly.
    return {
      tokens: await this.#store.deleteExpiredTokens(now - this.#graceSeconds),
      sessions: await this.#store.deleteExpiredSessions(now),
      records: await this.#store.deleteExpiredRecords(now),
      revocations: await this.#store.deleteExpiredRevocations(now),
      markers: await this.#store.deleteExpiredMarkers(now),
      mail: await this.#store.outbox.deleteSentMail(now - SENT_MAIL_KEPT),
      logoutDeliveries: await this.#store.logoutOutbox.deleteSentMail(now - SENT_MAIL_KEPT),
      // Kept a while after expiry, so a device polling late hears expired_token, not invalid_grant.
      deviceAuthorizations: await this.#store.deviceAuthorizations.deleteExpiredDeviceAuthorizations(now - DEVICE_AUTHORIZATIONS_KEPT),
    };
  }
}
