/**
 * The second step of a sign-in: after the password (or an upstream provider), or over
 * a live session that must step up (acr_values, a client's requireMfa). Kept in the
 * store for ten minutes, bound to the browser like a pending authorization, its form
 * carrying a CSRF token. No session exists until the step is done: then one starts
 * with the methods used (`amr`), and the browser goes on to where it was going.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { constantTimeEqual } from '../crypto/constant-time.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import type { EphemeralRepository } from '../ports/storage.js';

const TTL = 600;
const KIND = 'second-factor';

export interface SecondStep {
  id: string;
  userId: string;
  browserHash: string;
  csrf: string;
  /** The methods already used in this sign-in (['pwd'], or the live session's). */
  amr: string[];
  /** Where the browser goes once signed in: the pending authorization, or the account page. */
  next: string;
  /** Origins the answer may end up at (a client's redirect URI), for CSP form-action. */
  formActions: string[];
  clientId?: string;
  /** The user has no factor and must set up an authenticator app first: its secret, sealed (factor-secrets.ts). */
  enrol?: string;
  /** Why the user must enrol, for the page. */
  reason?: string;
  createdAt: number;
}

export type SecondStepStart = Omit<SecondStep, 'id' | 'browserHash' | 'csrf' | 'createdAt'>;

export class SecondSteps {
  readonly #records: EphemeralRepository;
  readonly #hasher: SecretHasher;
  readonly #clock: Clock;

  constructor(records: EphemeralRepository, hasher: SecretHasher, clock: Clock) {
    this.#records = records;
    this.#hasher = hasher;
    this.#clock = clock;
  }

  async start(input: SecondStepStart, browser: string): Promise<SecondStep> {
    const now = this.#clock.now();
    const step: SecondStep = {
      ...input,
      id: randomBytes(24).toString('base64url'),
      browserHash: this.#hasher.hash(browser),
      csrf: randomBytes(24).toString('base64url'),
      createdAt: now,
    };
    await this.#records.putRecord(KIND, step.id, step, now + TTL);
    return step;
  }

  async find(id: string | undefined, browser: string | undefined): Promise<SecondStep | undefined> {
    if (!id || !/^[\w-]{32}$/.test(id) || !browser) return undefined;
    const step = await this.#records.getRecord<SecondStep>(KIND, id, this.#clock.now());
    return step && this.#hasher.matches(browser, step.browserHash) ? step : undefined;
  }

  checkCsrf(step: SecondStep, presented: string | undefined): boolean {
    return constantTimeEqual(presented, step.csrf);
  }

  async finish(step: SecondStep): Promise<void> {
    await this.#records.deleteRecord(KIND, step.id);
  }
}
