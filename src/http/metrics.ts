/**
 * Prometheus metrics (prom-client, on a registry of their own). The HTTP layer
 * counts requests, latency and OAuth errors; what the engine does is counted from its
 * audit events (tokens issued, sign-ins), and its queue and cache are read at scrape
 * time. The engine itself never imports prom-client.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { AuthorizationServer } from '../core/authorization-server.js';
import type { AuditEvent } from '../core/audit/audit-event.js';
import { OAuthError } from '../core/errors.js';
import { ClientAbortedError } from './read-body.js';
import { LocalCounts } from './local-counts.js';
import { LocalHistogram } from './local-histogram.js';
import type { MailOutbox } from '../core/mail/outbox.js';
import type { OutboxRepository } from '../core/ports/outbox.js';

const ISSUING = new Set(['token.issued', 'token.refreshed', 'token.exchanged']);

export class HttpMetrics {
  readonly registry = new Registry();
  readonly #duration: LocalHistogram<'route' | 'method'>;
  readonly #errors: Counter<'error'>;
  readonly #signIns: Counter<'outcome'>;
  readonly #unsubscribe: () => void;
  /**
   * What every request and audit event counts is kept in plain numbers and handed to
   * prom-client when scraped: prom-client hashes and validates a label object on every
   * call, which cost more than the count itself on the token path. Bounded: routes,
   * methods (node:http accepts a fixed set), statuses, event types and token kinds are few.
   */
  readonly #requestCounts = new LocalCounts();
  readonly #tokenCounts = new LocalCounts();
  readonly #eventCounts = new LocalCounts();

  constructor(engine: AuthorizationServer) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const requestCounts = this.#requestCounts;
    new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
      collect() {
        requestCounts.report(this);
      },
    });
    this.#duration = new LocalHistogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route pattern and method',
      labelNames: ['route', 'method'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    const tokenCounts = this.#tokenCounts;
    new Counter({
      name: 'tessera_tokens_issued_total',
      help: 'Tokens issued, by kind',
      labelNames: ['kind'],
      registers,
      collect() {
        tokenCounts.report(this);
      },
    });
    this.#errors = new Counter({ name: 'tessera_oauth_errors_total', help: 'OAuth error responses, by error code', labelNames: ['error'], registers });
    this.#signIns = new Counter({
      name: 'tessera_signins_total',
      help: 'Sign-in attempts on the sign-in page, by outcome',
      labelNames: ['outcome'],
      registers,
    });
    const eventCounts = this.#eventCounts;
    new Counter({
      name: 'tessera_audit_events_total',
      help: 'Audit events recorded, by type and outcome',
      labelNames: ['type', 'outcome'],
      registers,
      collect() {
        eventCounts.report(this);
      },
    });
    const audit = engine.audit;
    new Gauge({
      name: 'tessera_audit_queue_depth',
      help: 'Audit events waiting to be written',
      registers,
      collect() {
        this.set(audit.depth);
      },
    });
    let dropped = 0;
    new Counter({
      name: 'tessera_audit_dropped_total',
      help: 'Audit events dropped because the queue was full',
      registers,
      collect() {
        this.inc(audit.dropped - dropped);
        dropped = audit.dropped;
      },
    });
    new Gauge({
      name: 'tessera_catalog_cache_entries',
      help: 'APIs and clients held in the in-process cache',
      registers,
      collect() {
        this.set(engine.catalog.size);
      },
    });
    let fallbacks = 0;
    new Counter({
      name: 'tessera_throttle_fallback_total',
      help: 'Throttle operations counted in process because the shared counters (Redis) were unreachable',
      registers,
      collect() {
        this.inc(engine.attempts.fallbacks - fallbacks);
        fallbacks = engine.attempts.fallbacks;
      },
    });
    this.#unsubscribe = audit.subscribe((event) => this.#count(event));
    if (engine.mail) mailMetrics(engine.mail.outbox, engine.store.outbox, registers);
    if (engine.backchannelLogout) logoutDeliveryMetrics(engine.store.logoutOutbox, registers);
  }

  request(route: string, method: string, status: number, seconds: number): void {
    this.#requestCounts.inc(`${route} ${method} ${status}`, () => [route, method, String(status)]);
    this.#duration.observe(`${route} ${method}`, () => [route, method], seconds);
  }

  /** An error the HTTP layer rendered: OAuth errors by code, anything else as server_error. */
  error(error: unknown): void {
    if (error instanceof ClientAbortedError) return; // the client's doing, counted by status 499 only
    this.#errors.inc({ error: error instanceof OAuthError ? error.error : 'server_error' });
  }

  /**
   * Set by a worker of `start --workers`: every worker's metrics merged (counters
   * summed), so a scrape does not see only the worker that happened to answer.
   */
  merged: (() => Promise<string>) | undefined;

  async render(): Promise<{ contentType: string; body: string }> {
    const body = this.merged ? await this.merged().catch(() => this.registry.metrics()) : await this.registry.metrics();
    return { contentType: this.registry.contentType, body };
  }

  close(): void {
    this.#unsubscribe();
  }

  #count(event: AuditEvent): void {
    this.#eventCounts.inc(`${event.type} ${event.outcome}`, () => [event.type, event.outcome]);
    const kind = event.tokenKind;
    if (ISSUING.has(event.type) && event.outcome === 'success' && kind) this.#tokenCounts.inc(kind, () => [kind]);
    else if (event.type === 'signin.succeeded') this.#signIns.inc({ outcome: 'success' });
    else if (event.type === 'signin.failed') this.#signIns.inc({ outcome: 'failure' });
  }
}

/** The outbox: what this process sent and failed to send, and what waits or failed for good in the store. */
function mailMetrics(outbox: MailOutbox, repo: OutboxRepository, registers: Registry[]): void {
  let sent = 0;
  new Counter({
    name: 'tessera_mail_sent_total',
    help: 'Messages this instance handed to the mail server',
    registers,
    collect() {
      this.inc(outbox.sent - sent);
      sent = outbox.sent;
    },
  });
  let failures = 0;
  new Counter({
    name: 'tessera_mail_send_failures_total',
    help: 'Attempts to send a message that failed (each is retried later, up to the limit)',
    registers,
    collect() {
      this.inc(outbox.failures - failures);
      failures = outbox.failures;
    },
  });
  new Gauge({
    name: 'tessera_mail_outbox_messages',
    help: 'Messages in the outbox, by status (failed: given up, see the console)',
    labelNames: ['status'],
    registers,
    async collect() {
      // An unreachable store leaves the last values (readyz reports the outage).
      const counts = await repo.countMail().catch(() => undefined);
      for (const [status, n] of Object.entries(counts ?? {})) this.set({ status }, n);
    },
  });
}

/** Back-channel logout deliveries waiting (or given up on) in the store. */
function logoutDeliveryMetrics(repo: OutboxRepository, registers: Registry[]): void {
  new Gauge({
    name: 'tessera_backchannel_logout_deliveries',
    help: 'Back-channel logout deliveries in the store, by status (failed: given up, see the audit log)',
    labelNames: ['status'],
    registers,
    async collect() {
      const counts = await repo.countMail().catch(() => undefined);
      for (const [status, n] of Object.entries(counts ?? {})) this.set({ status }, n);
    },
  });
}

/** The label of a route: its pattern with named groups as `:name`, e.g. /interaction/:id/login. */
export function routeLabel(pattern: RegExp): string {
  return pattern.source
    .replace(/^\^|\$$/g, '')
    .replace(/\(\?<(\w+)>[^)]*\)/g, ':$1')
    .replace(/\\(.)/g, '$1');
}
