/**
 * The challenges a passkey signs (WebAuthn): random, kept in the store for five
 * minutes, each for one purpose and bound to who asked for it (the account page's
 * session, the browser on the sign-in page, a sign-in's second step). A challenge
 * is taken once: a second answer to it, from anyone, is refused.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import type { EphemeralRepository } from '../ports/storage.js';

const KIND = 'passkey-challenge';
export const PASSKEY_CHALLENGE_TTL = 300;

/** What a challenge is for: adding a passkey, signing in with one alone, or as the second step after a password. */
export type PasskeyPurpose = 'register' | 'sign-in' | 'second-factor';

interface StoredChallenge {
  purpose: PasskeyPurpose;
  /** A keyed hash of the binding (a session id, a browser cookie, a second step's id). */
  boundTo: string;
  userId?: string;
}

export class PasskeyChallenges {
  readonly #records: EphemeralRepository;
  readonly #hasher: SecretHasher;
  readonly #clock: Clock;

  constructor(records: EphemeralRepository, hasher: SecretHasher, clock: Clock) {
    this.#records = records;
    this.#hasher = hasher;
    this.#clock = clock;
  }

  /** A new challenge (base64url, 32 random bytes), stored for this purpose and binding. */
  async issue(purpose: PasskeyPurpose, binding: string, userId?: string): Promise<string> {
    const challenge = randomBytes(32).toString('base64url');
    const stored: StoredChallenge = { purpose, boundTo: this.#hasher.hash(`${purpose}:${binding}`), ...(userId !== undefined ? { userId } : {}) };
    const now = this.#clock.now();
    await this.#records.putRecord(KIND, challenge, stored, now + PASSKEY_CHALLENGE_TTL);
    return challenge;
  }

  /** True once for a live challenge of this purpose, binding (and user); false when unknown, expired, used, or someone else's. */
  async take(challenge: string, purpose: PasskeyPurpose, binding: string, userId?: string): Promise<boolean> {
    if (!/^[\w-]{43}$/.test(challenge)) return false;
    const found = await this.#records.consumeRecord<StoredChallenge>(KIND, challenge, this.#clock.now());
    if (!found?.firstUse) return false;
    const { doc } = found;
    return doc.purpose === purpose && this.#hasher.matches(`${purpose}:${binding}`, doc.boundTo) && doc.userId === userId;
  }
}
