/**
 * Usage reporting (opt-in): each API call served with a Tessera credential goes back to
 * Tessera's `POST /audit/api-calls`, which writes an `api.called` audit event and the
 * last use of manual credentials (PAT, SAT, user and action tokens).
 *
 * Off the request path: `record` is synchronous, O(1) and never throws; it only puts
 * the call on a bounded queue. A timer (unref'd) sends what waits `flushIntervalMs`
 * after the first call queued, in POSTs of at most `maxBatch` calls (and 60 KB), one at
 * a time, authenticated as the introspection client (client_secret_basic).
 *
 * Overflow policy: with `maxQueue` calls waiting, new calls are dropped and counted.
 * A POST that fails (network, timeout, any non-2xx) is counted in `failed` and its
 * batch is retried once, first thing on the next flush; if it fails again its calls
 * are dropped and counted. A flush stops at its first failure, so a Tessera that is
 * down costs at most one POST per interval. Memory: `maxQueue` calls plus one batch.
 */
import type { FetchLike } from './fetch-json.js';
import { basicAuthorization } from './introspection-client.js';
import type { Principal } from './principal.js';

/** Counters of the reporter, for metrics and tests. */
export interface UsageStats {
  /** Reporting is on (`usageReporting` was given, with introspection credentials). */
  readonly enabled: boolean;
  /** Calls waiting to be sent, including a batch waiting for its retry or in flight. */
  readonly queued: number;
  /** Calls Tessera accepted. */
  readonly sent: number;
  /** POSTs that failed (each batch fails at most twice). */
  readonly failed: number;
  /** Calls lost: the queue was full, a batch failed twice, or the reporter was closed. */
  readonly dropped: number;
  /** Why the last POST failed, if one did. */
  readonly lastError: string | undefined;
}

/** One call as the adapters see it once its response is done. */
export interface ServedCall {
  principal: Principal;
  method: string;
  /** The request target; the query string and fragment are cut before sending. */
  url: string;
  status: number;
  durationMs?: number;
  /** Epoch milliseconds when the request arrived; default: now. */
  calledAt?: number;
}

/** What Tessera's /audit/api-calls takes for one call (src/core/endpoints/api-calls.ts). */
export interface ReportedCall {
  method: string;
  path: string;
  status: number;
  tokenId?: string;
  subject?: string;
  clientId?: string;
  api?: string;
  scopes?: string[];
  durationMs?: number;
  calledAt: number;
}

/** Tessera reads at most 64 KiB of form body: stay below it. */
const MAX_BODY_CHARS = 60_000;
const MAX_PATH = 2000;
const MAX_ID = 200;
const MAX_SCOPE_CHARS = 1000;
const MAX_DURATION_MS = 3_600_000;

interface Pending {
  principal: Principal;
  method: string;
  url: string;
  status: number;
  durationMs: number | undefined;
  calledAt: number;
}

export interface UsageReporterOptions {
  endpoint: string;
  clientId: string;
  clientSecret: string;
  flushIntervalMs: number;
  maxBatch: number;
  maxQueue: number;
  fetch: FetchLike;
  timeoutMs: number;
  /** Epoch milliseconds. */
  now: () => number;
}

export class UsageReporter implements UsageStats {
  readonly enabled = true;
  readonly #endpoint: string;
  readonly #authorization: string;
  readonly #intervalMs: number;
  readonly #maxBatch: number;
  readonly #maxQueue: number;
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  #queue: Pending[] = [];
  /** A batch that failed once: sent first on the next flush, dropped if it fails again. */
  #retry: ReportedCall[] | undefined;
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;
  #sent = 0;
  #failed = 0;
  #dropped = 0;
  #lastError: string | undefined;

  constructor(options: UsageReporterOptions) {
    this.#endpoint = options.endpoint;
    this.#authorization = basicAuthorization(options.clientId, options.clientSecret);
    this.#intervalMs = options.flushIntervalMs;
    this.#maxBatch = options.maxBatch;
    this.#maxQueue = options.maxQueue;
    this.#fetch = options.fetch;
    this.#timeoutMs = options.timeoutMs;
    this.#now = options.now;
  }

  get queued(): number {
    return this.#queue.length + (this.#retry?.length ?? 0) + this.#inFlight;
  }
  get sent(): number {
    return this.#sent;
  }
  get failed(): number {
    return this.#failed;
  }
  get dropped(): number {
    return this.#dropped;
  }
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Queues one call; drops (and counts) it when the queue is full or the reporter closed. Never throws. */
  record(call: ServedCall, calledAt = call.calledAt ?? this.#now()): void {
    try {
      if (this.#closed || this.#queue.length + (this.#retry?.length ?? 0) >= this.#maxQueue) {
        this.#dropped++;
        return;
      }
      this.#queue.push({
        principal: call.principal,
        method: call.method,
        url: call.url,
        status: call.status,
        durationMs: call.durationMs,
        calledAt,
      });
      if (this.#timer === undefined) this.#schedule();
    } catch {
      // never into a request
    }
  }

  /** Sends what is queued now (a batch waiting for its retry first). Never rejects. */
  flush(): Promise<void> {
    const run = this.#chain.then(() => this.#drain());
    this.#chain = run;
    return run;
  }

  /** Stops the timer, sends what is queued, and counts what could not be sent as dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#cancelTimer();
    await this.flush();
    this.#dropped += this.#queue.length + (this.#retry?.length ?? 0);
    this.#queue = [];
    this.#retry = undefined;
  }

  #schedule(): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#intervalMs);
    this.#timer.unref();
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #drain(): Promise<void> {
    try {
      this.#cancelTimer();
      const retry = this.#retry;
      this.#retry = undefined;
      if (retry && !(await this.#post(retry))) {
        this.#dropped += retry.length;
        return;
      }
      // Only what is queued now: under load a flush still ends.
      let budget = this.#queue.length;
      while (budget > 0 && this.#queue.length > 0) {
        const { calls, taken } = this.#takeBatch(budget);
        budget -= taken;
        if (!(await this.#post(calls))) {
          this.#retry = calls;
          return;
        }
      }
    } catch (error) {
      this.#lastError = String(error); // a bug here must not become an unhandled rejection
    } finally {
      if (this.#queue.length > 0 || this.#retry) this.#schedule();
    }
  }

  /** Up to maxBatch calls from the head of the queue, within the body size Tessera accepts. */
  #takeBatch(budget: number): { calls: ReportedCall[]; taken: number } {
    const calls: ReportedCall[] = [];
    let size = 'calls=%5B%5D'.length;
    let taken = 0;
    while (taken < budget && calls.length < this.#maxBatch && taken < this.#queue.length) {
      const call = toReported(this.#queue[taken]!);
      const length = formLength(JSON.stringify(call)) + (calls.length > 0 ? 3 : 0); // %2C between
      if (calls.length > 0 && size + length > MAX_BODY_CHARS) break;
      calls.push(call);
      size += length;
      taken++;
    }
    this.#queue.splice(0, taken);
    return { calls, taken };
  }

  /** True when Tessera accepted the batch. */
  async #post(calls: ReportedCall[]): Promise<boolean> {
    this.#inFlight = calls.length;
    try {
      const response = await this.#fetch(this.#endpoint, {
        method: 'POST',
        headers: { authorization: this.#authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ calls: JSON.stringify(calls) }).toString(),
        redirect: 'error',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      const text = await response.text().catch(() => '');
      if (response.status >= 200 && response.status < 300) {
        this.#sent += calls.length;
        return true;
      }
      this.#lastError = `${this.#endpoint} answered ${response.status} ${text.slice(0, 200)}`.trim();
    } catch (error) {
      this.#lastError = `${this.#endpoint}: ${(error as Error)?.message ?? String(error)}`;
    } finally {
      this.#inFlight = 0;
    }
    this.#failed++;
    return false;
  }
}

/** The length of `value` once application/x-www-form-urlencoded. */
function formLength(value: string): number {
  return new URLSearchParams({ c: value }).toString().length - 2;
}

function clip(value: string | undefined): string | undefined {
  return value ? value.slice(0, MAX_ID) : undefined;
}

/** Shapes a call so that Tessera's schema accepts it whatever the request looked like. */
function toReported(call: Pending): ReportedCall {
  const { principal } = call;
  const method =
    call.method
      .toUpperCase()
      .replace(/[^A-Z]/g, '')
      .slice(0, 16) || 'UNKNOWN';
  const path = (call.url.split(/[?#]/, 1)[0] || '/').slice(0, MAX_PATH);
  const status = Number.isInteger(call.status) && call.status >= 100 && call.status <= 599 ? call.status : 499;
  const scopes: string[] = [];
  let chars = 0;
  for (const scope of principal.scopes) {
    if (scopes.length >= 100 || scope.length > MAX_ID || chars + scope.length + 1 > MAX_SCOPE_CHARS) break;
    scopes.push(scope);
    chars += scope.length + 1;
  }
  const reported: ReportedCall = { method, path, status, calledAt: Math.floor(call.calledAt) };
  const tokenId = clip(principal.tokenId);
  const subject = clip(principal.subject);
  const clientId = clip(principal.clientId);
  const api = clip(principal.audience);
  if (tokenId) reported.tokenId = tokenId;
  if (subject) reported.subject = subject;
  if (clientId) reported.clientId = clientId;
  if (api) reported.api = api;
  if (scopes.length > 0) reported.scopes = scopes;
  if (call.durationMs !== undefined && Number.isFinite(call.durationMs)) {
    reported.durationMs = Math.round(Math.min(Math.max(call.durationMs, 0), MAX_DURATION_MS) * 1000) / 1000;
  }
  return reported;
}

/** The counters of an authenticator without usage reporting. */
export const USAGE_REPORTING_OFF: UsageStats = Object.freeze({ enabled: false, queued: 0, sent: 0, failed: 0, dropped: 0, lastError: undefined });
