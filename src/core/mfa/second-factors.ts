/**
 * A user's second factors: enrolling an authenticator app (TOTP), checking a code at
 * sign-in (TOTP or a recovery code), removing factors, and recovery codes. Codes are
 * throttled with the password, per account and address (a wrong code counts as a
 * failed sign-in); every change and every failure is audited, never with a code.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AuditActor } from '../audit/audit-event.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { RequestOrigin } from '../audit/request-origin.js';
import type { Clock } from '../clock.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import type { SignInThrottle } from '../interaction/sign-in-throttle.js';
import type { Client, User, UserFactor } from '../model.js';
import type { FactorRepository } from '../ports/storage.js';
import type { FactorSecrets } from './factor-secrets.js';
import { mfaRequired, type MfaPolicy } from './mfa-policy.js';
import { newRecoveryCodes, normalizeRecoveryCode } from './recovery-codes.js';
import { matchTotp, otpauthUri, TOTP_SECRET_BYTES } from './totp.js';

export type CodeCheck =
  | { ok: true; method: 'totp' }
  | { ok: true; method: 'recovery_code'; remaining: number }
  | { ok: false; message: string; status: number };

/** What an authenticator app needs: the otpauth:// URI (for the QR code) and the secret to type by hand. */
export interface TotpEnrolment {
  /** The secret sealed for this user (factor-secrets.ts): carried by the form until confirmed. */
  sealed: string;
  uri: string;
  secret: string;
}

export interface SecondFactorsDeps {
  /** The name authenticator apps show beside the account (the issuer's host). */
  label: string;
  store: FactorRepository;
  hasher: SecretHasher;
  clock: Clock;
  audit: AuditLog;
  throttle: SignInThrottle;
  secrets: FactorSecrets;
  policy: MfaPolicy;
}

export class SecondFactors {
  readonly #d: SecondFactorsDeps;

  constructor(deps: SecondFactorsDeps) {
    this.#d = deps;
  }

  get policy(): MfaPolicy {
    return this.#d.policy;
  }

  list(userId: string): Promise<UserFactor[]> {
    return this.#d.store.listUserFactors(userId);
  }

  async has(userId: string): Promise<boolean> {
    return (await this.#d.store.listUserFactors(userId)).length > 0;
  }

  /** Whether this user, signing in to this client, must present a second factor. */
  required(user: User, client?: Pick<Client, 'requireMfa'>): boolean {
    return mfaRequired(this.#d.policy, user, client);
  }

  recoveryCodes(userId: string): Promise<{ total: number; remaining: number }> {
    return this.#d.store.countRecoveryCodes(userId);
  }

  /** A new secret for `user` to enrol, sealed; nothing is stored until a first code confirms it. */
  startTotp(user: User): TotpEnrolment {
    const secret = randomBytes(TOTP_SECRET_BYTES);
    const uri = otpauthUri(this.#d.label, user.username, secret);
    return { sealed: this.#d.secrets.seal(user.id, secret, this.#d.clock.now()), uri, secret: new URL(uri).searchParams.get('secret')! };
  }

  /** The enrolment again (to show after a wrong code), or undefined when the sealed secret is not valid any more. */
  resumeTotp(user: User, sealed: string | undefined): TotpEnrolment | undefined {
    const secret = this.#d.secrets.unseal(user.id, sealed, this.#d.clock.now());
    if (!secret) return undefined;
    const uri = otpauthUri(this.#d.label, user.username, secret);
    return { sealed: sealed!, uri, secret: new URL(uri).searchParams.get('secret')! };
  }

  /**
   * Confirms an enrolment with its first code and stores the factor; that code's step
   * counts as used. Throttled like a sign-in. A user has one authenticator app at a time.
   */
  async confirmTotp(
    user: User,
    sealed: string | undefined,
    code: string,
    origin: RequestOrigin,
    actor: AuditActor,
    ip: string,
  ): Promise<{ ok: true; factor: UserFactor } | { ok: false; message: string; expired?: boolean }> {
    const now = this.#d.clock.now();
    const secret = this.#d.secrets.unseal(user.id, sealed, now);
    if (!secret) return { ok: false, message: 'This setup has expired. Start again.', expired: true };
    if ((await this.list(user.id)).some((f) => f.type === 'totp'))
      return { ok: false, message: 'You already have an authenticator app. Remove it first to set up another.', expired: true };
    const wait = await this.#d.throttle.waitFor(user.username, ip);
    if (wait > 0) return { ok: false, message: tooMany(wait) };
    const step = matchTotp(secret, code.replace(/\s/g, ''), now);
    if (step === undefined) {
      await this.#d.throttle.recordFailure(user.username, ip);
      this.#d.audit.record({
        type: 'mfa.failed',
        outcome: 'failure',
        actor,
        subject: user.id,
        reason: 'wrong_code',
        ...origin,
        details: { factor: 'totp', during: 'enrolment' },
      });
      return { ok: false, message: 'That code is not right. Check the time on your device, and enter the code the app shows now.' };
    }
    const id = randomUUID();
    const factor: UserFactor = {
      id,
      userId: user.id,
      type: 'totp',
      name: 'Authenticator app',
      secretEncrypted: this.#d.secrets.encrypt(user.id, id, secret),
      createdAt: now,
      lastUsedStep: step,
      lastUsedAt: now,
    };
    await this.#d.store.insertUserFactor(factor);
    this.#d.audit.record({ type: 'mfa.enrolled', outcome: 'success', actor, subject: user.id, ...origin, details: { factor: 'totp', id } });
    return { ok: true, factor };
  }

  /**
   * Checks a code at sign-in: a six-digit code against each authenticator app (a step
   * used before is refused), otherwise a recovery code (each works once).
   */
  async check(user: User, typed: string, origin: RequestOrigin, clientId?: string): Promise<CodeCheck> {
    const ip = origin.ip ?? 'unknown';
    const audited = { subject: user.id, ...(clientId !== undefined ? { clientId } : {}), ...origin };
    const fail = (reason: string) => this.#d.audit.record({ type: 'mfa.failed', outcome: 'failure', actor: { type: 'user', id: user.id }, reason, ...audited });
    const wait = await this.#d.throttle.waitFor(user.username, ip);
    if (wait > 0) {
      fail('throttled');
      return { ok: false, message: tooMany(wait), status: 429 };
    }
    const now = this.#d.clock.now();
    const code = typed.replace(/\s/g, '');
    let reason = 'wrong_code';
    if (/^\d{6}$/.test(code)) {
      for (const factor of await this.list(user.id)) {
        if (factor.type !== 'totp') continue;
        const secret = this.#d.secrets.decrypt(user.id, factor.id, factor.secretEncrypted);
        if (!secret) continue;
        const step = matchTotp(secret, code, now, factor.lastUsedStep);
        if (step !== undefined && (await this.#d.store.useTotpStep(user.id, factor.id, step, now))) {
          await this.#d.throttle.recordSuccess(user.username);
          return { ok: true, method: 'totp' };
        }
        if (matchTotp(secret, code, now) !== undefined) reason = 'code_reused';
      }
    } else {
      const recovery = normalizeRecoveryCode(code);
      if (recovery && (await this.#d.store.useRecoveryCode(user.id, this.#d.hasher.hash(`recovery:${user.id}:${recovery}`), now))) {
        await this.#d.throttle.recordSuccess(user.username);
        const { remaining } = await this.recoveryCodes(user.id);
        this.#d.audit.record({ type: 'mfa.recovery_code_used', outcome: 'success', actor: { type: 'user', id: user.id }, ...audited, details: { remaining } });
        return { ok: true, method: 'recovery_code', remaining };
      }
      reason = 'wrong_recovery_code';
    }
    await this.#d.throttle.recordFailure(user.username, ip);
    fail(reason);
    return { ok: false, message: 'That code is not right. Enter the code your authenticator app shows now, or one of your recovery codes.', status: 401 };
  }

  /** New recovery codes replace the old ones; returned once, stored hashed. */
  async regenerateRecoveryCodes(userId: string, actor: AuditActor, origin: RequestOrigin = {}): Promise<string[]> {
    const codes = newRecoveryCodes();
    const hashes = codes.map((c) => this.#d.hasher.hash(`recovery:${userId}:${normalizeRecoveryCode(c)!}`));
    await this.#d.store.replaceRecoveryCodes(userId, hashes, this.#d.clock.now());
    this.#d.audit.record({ type: 'mfa.recovery_codes_generated', outcome: 'success', actor, subject: userId, ...origin, details: { count: codes.length } });
    return codes;
  }

  /** Removes one factor; removing the last one also removes the recovery codes. */
  async remove(userId: string, id: string, actor: AuditActor, origin: RequestOrigin = {}): Promise<boolean> {
    if (!(await this.#d.store.deleteUserFactor(userId, id))) return false;
    const last = (await this.list(userId)).length === 0;
    if (last) await this.#d.store.replaceRecoveryCodes(userId, [], this.#d.clock.now());
    this.#d.audit.record({
      type: 'mfa.removed',
      outcome: 'success',
      actor,
      subject: userId,
      ...origin,
      details: { id, ...(last ? { recoveryCodes: 'removed' } : {}) },
    });
    return true;
  }

  /** An administrator's reset: every factor and recovery code goes; the user enrols again if policy asks. */
  async reset(userId: string, actor: AuditActor, origin: RequestOrigin = {}): Promise<number> {
    const removed = await this.#d.store.deleteUserFactors(userId);
    this.#d.audit.record({ type: 'mfa.removed', outcome: 'success', actor, subject: userId, ...origin, details: { reset: true, factors: removed } });
    return removed;
  }
}

const tooMany = (wait: number) => `Too many failed attempts. Try again in ${wait} second${wait === 1 ? '' : 's'}.`;
