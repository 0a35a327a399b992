/**
 * OpenID Connect Back-Channel Logout 1.0. When an authorization completes for a
 * sign-in session, the clients that registered a `backchannelLogoutUri` are noted
 * against the session (a short-lived record keyed by the session id, living as long
 * as the session can). When the session ends, however it ends (RP-initiated logout,
 * the account page, the management API, a password reset), each such client gets a
 * logout token (§2.4): a JWT signed with the ID-token key, `typ: logout+jwt`, with
 * iss, aud, iat, exp, jti, sub, sid and the back-channel logout event, and no nonce.
 * It is POSTed off the request path (§2.5) through the transport port (the server
 * supplies an SSRF-safe one), retried a few times with backoff, and every delivery
 * is audited.
 *
 * Deliveries are written to the store's logout outbox (ports/outbox.ts's shape) before
 * the first attempt, so they survive a stop or a crash: `start()` polls the outbox and
 * sends what another process left pending (its claim lapsed) or what is due for a
 * retry. A claim moves the row's next attempt past a lease, so two instances never
 * send the same delivery at once. The token is signed at each attempt; the row holds
 * only who to tell what (client, sub, sid), nothing secret.
 */
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import type { Catalog } from '../catalog.js';
import type { Clock } from '../clock.js';
import type { KeyRing } from '../keys/key-ring.js';
import type { SigningAlg } from '../model.js';
import type { OutboxMessage, OutboxRepository } from '../ports/outbox.js';
import type { EphemeralRepository } from '../ports/storage.js';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
export const LOGOUT_TOKEN_TTL = 120;
const RECORD_KIND = 'session-clients';
/** The outbox row's kind. */
const DELIVERY_KIND = 'logout_token';
/** Seconds a claimed delivery is left to its process (attempts take at most a few seconds). */
const LEASE_SECONDS = 60;
/** How often `start()` looks for deliveries left over or due, in milliseconds. */
const POLL_MS = 5000;
/** Deliveries claimed per pass. */
const BATCH = 20;

/** POSTs a form to a client's back-channel logout URI; resolves to the HTTP status, rejects when no answer came. */
export interface BackchannelLogoutTransport {
  post(url: URL, form: string): Promise<number>;
}

export interface BackchannelLogoutOptions {
  transport: BackchannelLogoutTransport;
  /** Delays before the retries, in milliseconds (default 1 s, 5 s, 25 s). */
  retryDelaysMs?: number[];
  /**
   * False: only record deliveries in the outbox, for a running server to send (what the
   * command line does when it ends sessions on the database directly). Default true.
   */
  send?: boolean;
}

/** A client the session signed into, with the subject and sid that client was told. */
interface SignedInClient {
  clientId: string;
  sub: string;
  sid: string;
}

interface SessionClients {
  clients: SignedInClient[];
}

export interface EndedSession {
  sid: string;
  userId: string;
}

/** What an outbox row holds: the session that ended and the client to tell. */
interface PendingDelivery {
  session: EndedSession;
  client: SignedInClient;
}

export class BackchannelLogout {
  readonly #issuer: string;
  readonly #records: EphemeralRepository;
  readonly #outbox: OutboxRepository;
  readonly #catalog: Catalog;
  readonly #keys: KeyRing;
  readonly #clock: Clock;
  readonly #audit: AuditLog;
  readonly #alg: SigningAlg;
  readonly #transport: BackchannelLogoutTransport;
  readonly #delays: number[];
  readonly #send: boolean;
  readonly #inFlight = new Set<Promise<void>>();
  /** Deliveries being written to the outbox: `close()` waits for them, so none is lost. */
  readonly #queueing = new Set<Promise<void>>();
  /** Retries waiting in this process, each with what releases its `idle()` wait. */
  readonly #timers = new Map<NodeJS.Timeout, () => void>();
  #poller: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #onError: (error: unknown) => void = () => {};
  #closed = false;

  constructor(
    deps: {
      issuer: string;
      records: EphemeralRepository;
      outbox: OutboxRepository;
      catalog: Catalog;
      keys: KeyRing;
      clock: Clock;
      audit: AuditLog;
      alg?: SigningAlg;
    },
    options: BackchannelLogoutOptions,
  ) {
    this.#issuer = deps.issuer;
    this.#records = deps.records;
    this.#outbox = deps.outbox;
    this.#catalog = deps.catalog;
    this.#keys = deps.keys;
    this.#clock = deps.clock;
    this.#audit = deps.audit;
    this.#alg = deps.alg ?? 'RS256';
    this.#transport = options.transport;
    this.#delays = options.retryDelaysMs ?? [1000, 5000, 25000];
    this.#send = options.send ?? true;
  }

  /** Notes that the session `sessionSid` signed into the client (only clients with a back-channel logout URI are noted). */
  async signedInto(sessionSid: string, sessionExpiresAt: number, client: SignedInClient): Promise<void> {
    const registered = await this.#catalog.client(client.clientId);
    if (!registered?.backchannelLogoutUri) return;
    const now = this.#clock.now();
    const known = (await this.#records.getRecord<SessionClients>(RECORD_KIND, sessionSid, now))?.clients ?? [];
    if (known.some((c) => c.clientId === client.clientId && c.sid === client.sid && c.sub === client.sub)) return;
    await this.#records.putRecord(RECORD_KIND, sessionSid, { clients: [...known, client] } satisfies SessionClients, Math.max(sessionExpiresAt, now + 60));
  }

  /** Sessions have ended: notify their clients in the background (never awaited by the request that ended them). */
  sessionsEnded(sessions: EndedSession[]): void {
    if (this.#closed) return;
    for (const session of sessions) {
      const queued = this.#queue(session);
      const settled = queued.catch(() => undefined).finally(() => this.#queueing.delete(settled));
      this.#queueing.add(settled);
      this.#track(this.#send ? queued.then(() => this.deliverDue()) : queued);
    }
  }

  /**
   * Sends, now and every few seconds until `close`, what the outbox holds that is due:
   * deliveries a stopped or crashed process left, and retries. One instance (or all:
   * claims never overlap) should run it.
   */
  start(onError: (error: unknown) => void = () => {}): void {
    if (this.#closed || !this.#send) return;
    if (this.#poller) clearInterval(this.#poller);
    this.#onError = onError;
    const run = () => this.#track(this.deliverDue());
    this.#poller = setInterval(run, POLL_MS);
    this.#poller.unref();
    run();
  }

  /** One pass over the due deliveries; a pass asked for while one runs runs once more after it. */
  deliverDue(): Promise<void> {
    if (this.#closed || !this.#send) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        const now = this.#clock.now();
        const claimed = await this.#outbox.claimMail(now, now + LEASE_SECONDS, BATCH);
        await Promise.all(claimed.map((row) => this.#attempt(row)));
        if (claimed.length === BATCH) this.#again = true;
      } while (this.#again && !this.#closed);
    })()
      .catch((error: unknown) => this.#onError(error))
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  /** Resolves when every delivery started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /**
   * Stops polling and retrying, once the deliveries being recorded are in the outbox;
   * attempts under way finish, and what is left stays there for the next start.
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#poller) clearInterval(this.#poller);
    for (const [timer, release] of this.#timers) {
      clearTimeout(timer);
      release();
    }
    this.#timers.clear();
    await Promise.allSettled([...this.#queueing]);
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.#onError(error)).finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  /** Moves the session's noted clients into the outbox, one row per client. */
  async #queue(session: EndedSession): Promise<void> {
    const now = this.#clock.now();
    const record = await this.#records.getRecord<SessionClients>(RECORD_KIND, session.sid, now);
    if (!record) return;
    for (const client of record.clients) {
      const delivery: PendingDelivery = { session, client };
      await this.#outbox.enqueueMail({
        id: randomUUID(),
        // One delivery per session and client, however many times the session is ended.
        eventKey: `${session.sid}:${client.clientId}:${client.sid}`,
        kind: DELIVERY_KIND,
        recipient: client.clientId,
        payload: JSON.stringify(delivery),
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
      });
    }
    await this.#records.deleteRecord(RECORD_KIND, session.sid);
  }

  /** The logout token for one client (Back-Channel Logout §2.4). */
  logoutToken(client: SignedInClient): { token: string; jti: string } {
    const iat = this.#clock.now();
    const jti = randomUUID();
    const claims = {
      iss: this.#issuer,
      sub: client.sub,
      aud: client.clientId,
      iat,
      exp: iat + LOGOUT_TOKEN_TTL,
      jti,
      sid: client.sid,
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    };
    return { token: this.#keys.signer(this.#alg).sign('logout+jwt', claims), jti };
  }

  /** One attempt at a claimed delivery; then it is sent, failed for good, or due again after its delay. */
  async #attempt(row: OutboxMessage): Promise<void> {
    let delivery: PendingDelivery;
    try {
      delivery = JSON.parse(row.payload) as PendingDelivery;
    } catch {
      await this.#outbox.markMailFailed(row.id, {
        attempts: row.attempts + 1,
        status: 'failed',
        nextAttemptAt: row.nextAttemptAt,
        lastError: 'unreadable delivery',
      });
      return;
    }
    const { session, client: signedIn } = delivery;
    const client = await this.#catalog.client(signedIn.clientId);
    if (!client?.backchannelLogoutUri) {
      // The client, or its logout URI, is gone: nobody to tell.
      await this.#outbox.markMailFailed(row.id, {
        attempts: row.attempts,
        status: 'failed',
        nextAttemptAt: row.nextAttemptAt,
        lastError: 'the client no longer has a back-channel logout URI',
      });
      return;
    }
    const url = new URL(client.backchannelLogoutUri);
    const attempt = row.attempts; // 0 for the first
    const { token, jti } = this.logoutToken(signedIn);
    const body = new URLSearchParams({ logout_token: token }).toString();
    let status: number | undefined;
    let lastError: string;
    try {
      status = await this.#transport.post(url, body);
      lastError = `HTTP ${status}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    // §2.8: 200 (or 204) means done; 400 means the RP refused the token, a retry would not help.
    const done = status !== undefined && status >= 200 && status < 300;
    const refused = status !== undefined && status >= 400 && status < 500;
    const now = this.#clock.now();
    if (!done && !refused && attempt < this.#delays.length) {
      const delayMs = this.#delays[attempt]!;
      // Due again after the delay: this process retries then, or any instance's poll after a restart.
      await this.#outbox.markMailFailed(row.id, { attempts: attempt + 1, status: 'pending', nextAttemptAt: now + Math.floor(delayMs / 1000), lastError });
      if (!this.#closed) this.#retryAfter(delayMs);
      return;
    }
    if (done) await this.#outbox.markMailSent(row.id, now);
    else await this.#outbox.markMailFailed(row.id, { attempts: attempt + 1, status: 'failed', nextAttemptAt: now, lastError });
    this.#audit.record({
      type: done ? 'logout.backchannel_delivered' : 'logout.backchannel_failed',
      outcome: done ? 'success' : 'failure',
      actor: { type: 'system', id: 'backchannel-logout' },
      subject: session.userId,
      clientId: signedIn.clientId,
      tokenKind: 'logout_token',
      tokenId: jti,
      ...(done ? {} : { reason: lastError }),
      details: { sid: session.sid, uri: url.origin + url.pathname, attempts: attempt + 1, ...(status !== undefined ? { status } : {}) },
    });
  }

  /** A pass after `delayMs`, tracked so `idle()` waits for the retry. */
  #retryAfter(delayMs: number): void {
    let release: () => void = () => {};
    const waited = new Promise<void>((resolve) => {
      release = resolve;
    });
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.deliverDue().finally(release);
    }, delayMs);
    timer.unref();
    this.#timers.set(timer, release);
    this.#track(waited);
  }
}
