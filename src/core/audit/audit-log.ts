/**
 * The engine's audit log. `record` is synchronous and never throws: it stamps the
 * event, tells the observers (metrics), and puts it on a bounded in-memory queue that
 * is written to the store in batches (when a batch fills, or `flushMs` after the first
 * waiting event) and on `close`.
 *
 * What a response acknowledges is recorded with `recordDurably`, which resolves only once
 * the event is committed: an issued token and its audit record then survive a crash
 * (SIGKILL) after the response, as the token itself does. Such an event asks for a write
 * at once rather than after `flushMs`, and the events of every request that arrive while
 * a write is under way go together in the next one (a group commit), so a token waits
 * for about one write, not one write of its own.
 *
 * Overflow policy: when `capacity` events are waiting (the store is slow or down),
 * new events are dropped, counted (`dropped`) and reported in a warning at most once
 * per `warnEveryMs`. Memory stays bounded by `capacity` plus one batch in flight.
 */
import { temporarilyUnavailable } from '../errors.js';
import type { AuditRepository } from '../ports/audit.js';
import type { AuditEvent, AuditEventInput } from './audit-event.js';
import { AuditTrail } from './audit-trail.js';

export interface AuditLogOptions {
  repo: AuditRepository;
  /** Epoch milliseconds. */
  now?: () => number;
  /** Most events waiting to be written; beyond it new events are dropped. Default 10,000. */
  capacity?: number;
  /** Most events per store write (on SQLite a write holds the event loop: about 5 ms for 200). Default 200. */
  batchSize?: number;
  /** Longest an event waits before a write starts. Default 250 ms. */
  flushMs?: number;
  /** How the log reports overflow and write failures (rate-limited). */
  warn?: (message: string, fields: Record<string, unknown>) => void;
  warnEveryMs?: number;
}

export type AuditObserver = (event: AuditEvent) => void;

/** A request waiting for its event to be committed. */
interface CommitWaiter {
  resolve(): void;
  reject(error: Error): void;
}

export class AuditLog extends AuditTrail {
  readonly #repo: AuditRepository;
  readonly #now: () => number;
  readonly #capacity: number;
  readonly #batchSize: number;
  readonly #flushMs: number;
  readonly #warn: (message: string, fields: Record<string, unknown>) => void;
  readonly #warnEveryMs: number;
  readonly #observers = new Set<AuditObserver>();
  /** Events recorded durably, until they are written (or cannot be). */
  readonly #waiters = new Map<AuditEvent, CommitWaiter>();
  #queue: AuditEvent[] = [];
  #inFlight = 0;
  #writing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The timer is set to write at once (a batch is full), not after flushMs. */
  #soon = false;
  #closed = false;
  #dropped = 0;
  #written = 0;
  #lastWarning = 0;
  #droppedSinceWarning = 0;

  constructor(options: AuditLogOptions) {
    super(options.repo);
    this.#repo = options.repo;
    this.#now = options.now ?? Date.now;
    this.#capacity = options.capacity ?? 10_000;
    this.#batchSize = options.batchSize ?? 200;
    this.#flushMs = options.flushMs ?? 250;
    this.#warn = options.warn ?? (() => {});
    this.#warnEveryMs = options.warnEveryMs ?? 10_000;
  }

  /** Events waiting to be written, including a batch being written. */
  get depth(): number {
    return this.#queue.length + this.#inFlight;
  }

  /** Events lost to overflow (or to a store that failed at close), since start. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Events written to the store, since start. */
  get written(): number {
    return this.#written;
  }

  /** Calls `observer` with every recorded event (dropped ones included); returns an unsubscribe. */
  subscribe(observer: AuditObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  record(input: AuditEventInput): void {
    try {
      this.#enqueue(input);
    } catch {
      // never into a request
    }
  }

  /**
   * Records an event and resolves once it is committed to the store. Rejects with
   * `temporarily_unavailable` when it cannot be: the queue is full, the log is closed or
   * the write failed (the event stays queued and may still be written later; the
   * response it was for is not sent, so nothing unaudited is acknowledged).
   */
  recordDurably(input: AuditEventInput): Promise<void> {
    let event: AuditEvent | undefined;
    try {
      event = this.#enqueue(input, true);
    } catch {
      event = undefined;
    }
    if (!event) return Promise.reject(auditUnavailable());
    const queued = event;
    return new Promise<void>((resolve, reject) => this.#waiters.set(queued, { resolve, reject }));
  }

  /** Stamps, observes and queues an event; undefined when it was dropped. */
  #enqueue(input: AuditEventInput, now = false): AuditEvent | undefined {
    const event = this.#stamp(input);
    for (const observer of this.#observers) {
      try {
        observer(event);
      } catch {
        // an observer's bug must not reach the request
      }
    }
    if (this.#closed || this.#queue.length >= this.#capacity) {
      this.#drop(1, this.#closed ? 'audit log closed' : 'audit queue full');
      return undefined;
    }
    this.#queue.push(event);
    if (now || this.#queue.length >= this.#batchSize) this.#schedule(0);
    else this.#schedule(this.#flushMs);
    return event;
  }

  /** Writes everything waiting; rejects if the store fails (the events stay queued). */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing.catch(() => {});
    if (this.#queue.length === 0) return;
    this.#writing = this.#writeAll();
    try {
      await this.#writing;
    } finally {
      this.#writing = undefined;
    }
  }

  /** Stops the timer and writes what is left; events recorded afterwards are dropped. */
  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      await this.flush();
    } catch (error) {
      try {
        await this.flush(); // one retry: a transient failure should not lose the tail
      } catch {
        this.#warn('audit events could not be written at shutdown', { lost: this.#queue.length, error: String(error) });
        this.#dropped += this.#queue.length;
        this.#queue = [];
      }
    } finally {
      this.#closed = true;
      this.stopPruning();
    }
  }

  /** A copy with the time set and undefined fields left out, as the store will give it back. */
  #stamp(input: AuditEventInput): AuditEvent {
    const event: Record<string, unknown> = {};
    for (const key in input) {
      const value = input[key as keyof AuditEventInput];
      if (value !== undefined) event[key] = value;
    }
    event.at ??= this.#now();
    // Details are stored as JSON: keep exactly what JSON keeps, so the hash survives a round
    // trip. Flat details of plain values (the usual case) are JSON already; copy them cheaply.
    if (input.details)
      event.details = isFlatJson(input.details) ? { ...input.details } : (JSON.parse(JSON.stringify(input.details)) as Record<string, unknown>);
    return event as unknown as AuditEvent;
  }

  #schedule(delayMs: number): void {
    if (this.#closed || (this.#timer && (delayMs > 0 || this.#soon))) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#soon = delayMs === 0;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#soon = false;
      this.flush().catch((error: unknown) => {
        this.#warnLimited('audit events could not be written; retrying', { waiting: this.depth, error: String(error) });
        this.#schedule(Math.max(this.#flushMs, 1000));
      });
    }, delayMs);
    // A write due now (a full batch, a request waiting on its event) keeps the process up
    // until it starts; only the flushMs wait does not.
    if (delayMs > 0) this.#timer.unref();
  }

  async #writeAll(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#batchSize);
      this.#inFlight = batch.length;
      try {
        await this.#repo.appendAuditEvents(batch);
        this.#written += batch.length;
        if (this.#waiters.size > 0) this.#settle(batch);
      } catch (error) {
        // Requests waiting on any queued event are answered now rather than held through
        // the retries (their events stay queued and may be written later).
        if (this.#waiters.size > 0) this.#settle(batch, error);
        // Put the batch back in front, in order; what no longer fits is the newest and is dropped.
        this.#queue = [...batch, ...this.#queue];
        if (this.#queue.length > this.#capacity) this.#drop(this.#queue.splice(this.#capacity).length, 'audit queue full');
        throw error;
      } finally {
        this.#inFlight = 0;
      }
    }
  }

  /** Resolves the waiters of a written batch; with an error, rejects those of the batch and of the queue. */
  #settle(batch: AuditEvent[], error?: unknown): void {
    const events = error === undefined ? batch : [...batch, ...this.#queue];
    for (const event of events) {
      const waiter = this.#waiters.get(event);
      if (!waiter) continue;
      this.#waiters.delete(event);
      if (error === undefined) waiter.resolve();
      else waiter.reject(auditUnavailable());
    }
  }

  #drop(count: number, why: string): void {
    this.#dropped += count;
    this.#droppedSinceWarning += count;
    this.#warnLimited(`audit events dropped: ${why}`, { dropped: this.#droppedSinceWarning, droppedTotal: this.#dropped });
  }

  #warnLimited(message: string, fields: Record<string, unknown>): void {
    const now = Date.now();
    if (now - this.#lastWarning < this.#warnEveryMs) return;
    this.#lastWarning = now;
    this.#droppedSinceWarning = 0;
    try {
      this.#warn(message, fields);
    } catch {
      // a logger failure is not the request's problem
    }
  }
}

function auditUnavailable(): Error {
  return temporarilyUnavailable('the audit log cannot record this right now; try again shortly');
}

/** Whether every member is a string, a finite number, a boolean or null: what JSON keeps as is. */
function isFlatJson(object: Record<string, unknown>): boolean {
  for (const key in object) {
    const value = object[key];
    if (value === null || typeof value === 'string' || typeof value === 'boolean') continue;
    if (typeof value === 'number' && Number.isFinite(value)) continue;
    return false;
  }
  return Object.getPrototypeOf(object) === Object.prototype;
}
