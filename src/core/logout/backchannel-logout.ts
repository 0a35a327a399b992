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
 */
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import type { Catalog } from '../catalog.js';
import type { Clock } from '../clock.js';
import type { KeyRing } from '../keys/key-ring.js';
import type { SigningAlg } from '../model.js';
import type { EphemeralRepository } from '../ports/storage.js';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
export const LOGOUT_TOKEN_TTL = 120;
const RECORD_KIND = 'session-clients';

/** POSTs a form to a client's back-channel logout URI; resolves to the HTTP status, rejects when no answer came. */
export interface BackchannelLogoutTransport {
  post(url: URL, form: string): Promise<number>;
}

export interface BackchannelLogoutOptions {
  transport: BackchannelLogoutTransport;
  /** Delays before the retries, in milliseconds (default 1 s, 5 s, 25 s). */
  retryDelaysMs?: number[];
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

export class BackchannelLogout {
  readonly #issuer: string;
  readonly #records: EphemeralRepository;
  readonly #catalog: Catalog;
  readonly #keys: KeyRing;
  readonly #clock: Clock;
  readonly #audit: AuditLog;
  readonly #alg: SigningAlg;
  readonly #transport: BackchannelLogoutTransport;
  readonly #delays: number[];
  readonly #inFlight = new Set<Promise<void>>();
  #closed = false;

  constructor(
    deps: { issuer: string; records: EphemeralRepository; catalog: Catalog; keys: KeyRing; clock: Clock; audit: AuditLog; alg?: SigningAlg },
    options: BackchannelLogoutOptions,
  ) {
    this.#issuer = deps.issuer;
    this.#records = deps.records;
    this.#catalog = deps.catalog;
    this.#keys = deps.keys;
    this.#clock = deps.clock;
    this.#audit = deps.audit;
    this.#alg = deps.alg ?? 'RS256';
    this.#transport = options.transport;
    this.#delays = options.retryDelaysMs ?? [1000, 5000, 25000];
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
    for (const session of sessions) this.#track(this.#notify(session));
  }

  /** Resolves when every delivery started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** Stops retrying; deliveries under way finish their current attempt. */
  close(): void {
    this.#closed = true;
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch(() => undefined).finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  async #notify(session: EndedSession): Promise<void> {
    const record = await this.#records.getRecord<SessionClients>(RECORD_KIND, session.sid, this.#clock.now());
    if (!record) return;
    await this.#records.deleteRecord(RECORD_KIND, session.sid);
    await Promise.all(record.clients.map((client) => this.#deliver(session, client)));
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

  async #deliver(session: EndedSession, signedIn: SignedInClient): Promise<void> {
    const client = await this.#catalog.client(signedIn.clientId);
    if (!client?.backchannelLogoutUri) return;
    const url = new URL(client.backchannelLogoutUri);
    let attempt = 0;
    let lastError = '';
    for (;;) {
      const { token, jti } = this.logoutToken(signedIn);
      const body = new URLSearchParams({ logout_token: token }).toString();
      let status: number | undefined;
      try {
        status = await this.#transport.post(url, body);
        lastError = `HTTP ${status}`;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
      // §2.8: 200 (or 204) means done; 400 means the RP refused the token, a retry would not help.
      const done = status !== undefined && status >= 200 && status < 300;
      const refused = status !== undefined && status >= 400 && status < 500;
      if (done || refused || attempt >= this.#delays.length || this.#closed) {
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
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, this.#delays[attempt]).unref());
      attempt += 1;
    }
  }
}
