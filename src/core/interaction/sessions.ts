/**
 * Sign-in sessions: a random value in an HttpOnly cookie, and in the store only
 * its keyed hash with the user and the time of authentication. Any instance can
 * read them, so a flow may hop between instances.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import type { EphemeralRepository } from '../ports/storage.js';

export const SESSION_COOKIE = 'tsr_session';
export const SESSION_TTL = 12 * 3600;

export interface Session {
  userId: string;
  authTime: number;
  /** Session id for the ID token `sid` claim (not the cookie value). */
  sid: string;
}

export class SessionStore {
  readonly #records: EphemeralRepository;
  readonly #hasher: SecretHasher;
  readonly #clock: Clock;

  constructor(records: EphemeralRepository, hasher: SecretHasher, clock: Clock) {
    this.#records = records;
    this.#hasher = hasher;
    this.#clock = clock;
  }

  async create(userId: string): Promise<{ cookie: string; session: Session }> {
    const cookie = randomBytes(32).toString('base64url');
    const now = this.#clock.now();
    const session: Session = { userId, authTime: now, sid: randomUUID() };
    await this.#records.putRecord('session', this.#hasher.hash(cookie), session, now + SESSION_TTL);
    return { cookie, session };
  }

  async find(cookie: string | undefined): Promise<Session | undefined> {
    if (cookie === undefined || cookie.length > 100) return undefined;
    return this.#records.getRecord<Session>('session', this.#hasher.hash(cookie), this.#clock.now());
  }

  async destroy(cookie: string | undefined): Promise<void> {
    if (cookie !== undefined && cookie.length <= 100) await this.#records.deleteRecord('session', this.#hasher.hash(cookie));
  }

  /** A token for forms that act on the session (logout): derived from the cookie, so a third site cannot know it. */
  formToken(cookie: string): string {
    return this.#hasher.hash(`form:${cookie}`);
  }
}
