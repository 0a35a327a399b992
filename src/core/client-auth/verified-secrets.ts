/**
 * Remembers, per client object, the last client secret that verified, so a client that
 * presents the same secret on every request (every machine client does) is checked with
 * one SHA-256 rather than the keyed HMAC of the stored hash (about a third of the cost,
 * measured in bench/results/2026-12-06-jwt-token-path.md).
 *
 * What is kept is never the secret: a SHA-256 of a per-process random pepper and the
 * secret, compared in constant time. It is keyed by the client object itself (a
 * WeakMap), so it is gone as soon as the catalog drops or reloads the client (a secret
 * added, rotated or removed), and a hit still requires the stored secret it matched to
 * be among the client's secrets and unexpired: the answer is always the one the full
 * check would give.
 */
import { hash, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../crypto/constant-time.js';
import type { Client, ClientSecret } from '../model.js';

interface Verified {
  /** sha256(pepper || secret) of the secret that verified. */
  digest: Buffer;
  /** The stored secret it verified against (its expiry is checked on every hit). */
  stored: ClientSecret;
}

export class VerifiedSecrets {
  /** Never leaves this process: without it the digests cannot be tested against guesses. */
  readonly #pepper = randomBytes(32).toString('base64');
  readonly #byClient = new WeakMap<Client, Verified>();

  #digest(secret: string): Buffer {
    return hash('sha256', this.#pepper + secret, 'buffer');
  }

  /** Whether `secret` is the one that last verified for this client, against a secret still valid at `now`. */
  matches(client: Client, secret: string, now: number): boolean {
    const verified = this.#byClient.get(client);
    if (verified === undefined) return false;
    const { stored } = verified;
    if ((stored.expiresAt !== undefined && stored.expiresAt <= now) || !client.secrets.includes(stored)) return false;
    return constantTimeEqual(this.#digest(secret), verified.digest);
  }

  /** Records that `secret` verified against `stored`, one of `client`'s secrets. */
  remember(client: Client, secret: string, stored: ClientSecret): void {
    this.#byClient.set(client, { digest: this.#digest(secret), stored });
  }
}
