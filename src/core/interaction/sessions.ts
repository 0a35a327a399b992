/**
 * Sign-in sessions: a random value in an HttpOnly cookie, and in the store only
 * its keyed hash with the user, the time of authentication, when it was last seen
 * and the device it came from. Any instance can read them, so a flow may hop between
 * instances; they are indexed by user, so a user or an administrator can list them
 * and end one (it is signed out at its next request) or all.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import type { UserSession } from '../model.js';
import type { SessionRepository } from '../ports/storage.js';

export const SESSION_COOKIE = 'tsr_session';
export const SESSION_TTL = 12 * 3600;
/** Last-seen times are written at most this often per session, not on every request. */
const TOUCH_INTERVAL = 60;
const MAX_USER_AGENT = 200;

export interface Session {
  userId: string;
  authTime: number;
  /** Session id for the ID token `sid` claim and for lists (not the cookie value). */
  sid: string;
  /** How the user authenticated (RFC 8176): ['pwd'], ['pwd', 'otp', 'mfa'], or empty when not recorded (upstream, mail links). */
  amr: string[];
}

/** Where a sign-in came from, shown to the user to recognise their devices. */
export interface SessionOrigin {
  userAgent?: string;
  ip?: string;
}

export type SessionSummary = Omit<UserSession, 'hash'>;

export class SessionStore {
  readonly #records: SessionRepository;
  readonly #hasher: SecretHasher;
  readonly #clock: Clock;
  #ended?: (sessions: { sid: string; userId: string }[]) => void;

  constructor(records: SessionRepository, hasher: SecretHasher, clock: Clock) {
    this.#records = records;
    this.#hasher = hasher;
    this.#clock = clock;
  }

  async create(userId: string, origin: SessionOrigin = {}, amr: string[] = []): Promise<{ cookie: string; session: Session }> {
    const cookie = randomBytes(32).toString('base64url');
    const now = this.#clock.now();
    const session: Session = { userId, authTime: now, sid: randomUUID(), amr };
    const stored: UserSession = { id: session.sid, hash: this.#hasher.hash(cookie), userId, createdAt: now, lastSeenAt: now, expiresAt: now + SESSION_TTL };
    if (amr.length > 0) stored.amr = amr;
    if (origin.userAgent) stored.userAgent = origin.userAgent.slice(0, MAX_USER_AGENT);
    if (origin.ip) stored.ip = origin.ip;
    await this.#records.insertSession(stored);
    return { cookie, session };
  }

  async find(cookie: string | undefined): Promise<Session | undefined> {
    if (cookie === undefined || cookie.length > 100) return undefined;
    const now = this.#clock.now();
    const stored = await this.#records.findSessionByHash(this.#hasher.hash(cookie), now);
    if (!stored) return undefined;
    if (now - stored.lastSeenAt >= TOUCH_INTERVAL) await this.#records.touchSession(stored.hash, now);
    return { userId: stored.userId, authTime: stored.createdAt, sid: stored.id, amr: stored.amr ?? [] };
  }

  async destroy(cookie: string | undefined): Promise<void> {
    if (cookie === undefined || cookie.length > 100) return;
    const hash = this.#hasher.hash(cookie);
    const stored = this.#ended ? await this.#records.findSessionByHash(hash, this.#clock.now()) : undefined;
    await this.#records.deleteSessionByHash(hash);
    if (stored) this.#ended?.([{ sid: stored.id, userId: stored.userId }]);
  }

  /** Told of every session that ends here (back-channel logout); never awaited. */
  onEnded(listener: (sessions: { sid: string; userId: string }[]) => void): void {
    this.#ended = listener;
  }

  /** A user's live sessions, newest first, without the cookie hashes. */
  async list(userId: string): Promise<SessionSummary[]> {
    return (await this.#records.listUserSessions(userId, this.#clock.now())).map(({ hash: _hash, ...rest }) => rest);
  }

  /** Ends one session of the user; false when there is no such live session. */
  async end(userId: string, id: string): Promise<boolean> {
    const ended = await this.#records.deleteUserSession(userId, id);
    if (ended) this.#ended?.([{ sid: id, userId }]);
    return ended;
  }

  /** Ends every session of the user, except `keepId` (the caller's own) if given; returns how many. */
  async endAll(userId: string, keepId?: string): Promise<number> {
    const live = this.#ended ? await this.#records.listUserSessions(userId, this.#clock.now()) : [];
    const ended = await this.#records.deleteUserSessions(userId, keepId);
    if (ended > 0) this.#ended?.(live.filter((s) => s.id !== keepId).map((s) => ({ sid: s.id, userId })));
    return ended;
  }

  /** A token for forms that act on the session (logout, the account page): derived from the cookie, so a third site cannot know it. */
  formToken(cookie: string): string {
    return this.#hasher.hash(`form:${cookie}`);
  }
}
