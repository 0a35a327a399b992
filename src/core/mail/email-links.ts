/**
 * The single-use links sent by mail (password reset, email verification,
 * invitation, sign-up). The link carries 32 random bytes; the store keeps only their
 * keyed hash (crypto/secret-hasher.ts) with what the link is for, until it expires.
 * A link is used at most once: the first use consumes and deletes the record.
 * A link also names a "stamp" of the account's state when it was made (for a reset,
 * its password); a link whose stamp no longer matches is void, so changing the
 * password voids every reset link sent before.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { constantTimeEqual } from '../crypto/constant-time.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import type { User } from '../model.js';
import type { EphemeralRepository } from '../ports/storage.js';

export type LinkPurpose = 'password-reset' | 'verify-email' | 'invitation';

export interface LinkRecord {
  userId: string;
  email: string;
  stamp: string;
}

/** A link token as it appears in a path: 43 base64url characters. */
export const LINK_TOKEN = /^[\w-]{43}$/;

export class EmailLinks {
  readonly #records: EphemeralRepository;
  readonly #hasher: SecretHasher;
  readonly #clock: Clock;

  constructor(records: EphemeralRepository, hasher: SecretHasher, clock: Clock) {
    this.#records = records;
    this.#hasher = hasher;
    this.#clock = clock;
  }

  /** What ties a link to the account's state: its email address and, but for verification, its password. */
  stampOf(purpose: LinkPurpose, user: User): string {
    return this.#hasher.hash(`stamp:${purpose === 'verify-email' ? '' : (user.passwordHash ?? '')}:${user.email?.toLowerCase() ?? ''}`);
  }

  /** Makes a link for `user`; returns the token to put in the URL and the hash that names it. */
  async issue(purpose: LinkPurpose, user: User & { email: string }, ttlSeconds: number): Promise<{ token: string; hash: string }> {
    const token = randomBytes(32).toString('base64url');
    const hash = this.#hash(purpose, token);
    const record: LinkRecord = { userId: user.id, email: user.email, stamp: this.stampOf(purpose, user) };
    await this.#records.putRecord(`mail-link:${purpose}`, hash, record, this.#clock.now() + ttlSeconds);
    return { token, hash };
  }

  /** The link's user if the token is one of ours, unused, unexpired and still matching the account (it stays usable). */
  async peek(purpose: LinkPurpose, token: string | undefined, load: (id: string) => Promise<User | undefined>): Promise<User | undefined> {
    if (!token || !LINK_TOKEN.test(token)) return undefined;
    const record = await this.#records.getRecord<LinkRecord>(`mail-link:${purpose}`, this.#hash(purpose, token), this.#clock.now());
    const user = record ? await load(record.userId) : undefined;
    return user && constantTimeEqual(this.stampOf(purpose, user), record!.stamp) ? user : undefined;
  }

  /**
   * Uses the link: its user for exactly one caller, however many race, if the account
   * is still as it was when the link was made; undefined for everyone else.
   */
  async consume(purpose: LinkPurpose, token: string | undefined, load: (id: string) => Promise<User | undefined>): Promise<User | undefined> {
    if (!token || !LINK_TOKEN.test(token)) return undefined;
    const kind = `mail-link:${purpose}`;
    const hash = this.#hash(purpose, token);
    const used = await this.#records.consumeRecord<LinkRecord>(kind, hash, this.#clock.now());
    if (!used?.firstUse) return undefined;
    await this.#records.deleteRecord(kind, hash);
    const user = await load(used.doc.userId);
    return user && constantTimeEqual(this.stampOf(purpose, user), used.doc.stamp) ? user : undefined;
  }

  #hash(purpose: LinkPurpose, token: string): string {
    return this.#hasher.hash(`mail-link:${purpose}:${token}`);
  }
}
