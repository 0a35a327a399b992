/**
 * Self sign-up, off unless configured: a person gives an email address (of an
 * allowed domain, when domains are listed) and a password; the account is created
 * inactive and a verification link activates it. The answer is the same whether or
 * not the address has an account: an existing account gets a message saying so
 * (with a way to reset its password) instead of a second account.
 */
import { randomUUID } from 'node:crypto';
import { hashPassword, passwordProblem } from '../crypto/password.js';
import type { User } from '../model.js';
import type { EngineRequest } from '../request.js';
import type { EmailVerification } from './email-verification.js';
import { PER_ACCOUNT, PER_ADDRESS, rateLimit, type MailContext } from './mail-context.js';
import { renderMail } from './templates.js';

export type SignUpResult = { ok: true } | { ok: false; message: string; status: number };

const EMAIL = /^[^\s@<>()",;:\\]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

export class SignUp {
  readonly #ctx: MailContext;
  readonly #verification: EmailVerification;

  constructor(ctx: MailContext, verification: EmailVerification) {
    this.#ctx = ctx;
    this.#verification = verification;
  }

  get enabled(): boolean {
    return this.#ctx.features.signUp.enabled;
  }

  /** Whether addresses of this domain may sign up. */
  allows(email: string): boolean {
    const domains = this.#ctx.features.signUp.domains;
    const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
    return domains.length === 0 || domains.includes(domain);
  }

  async submit(form: { email: string; password: string; confirm: string | undefined; name?: string }, request: EngineRequest): Promise<SignUpResult> {
    const email = form.email.trim();
    if (!EMAIL.test(email)) return { ok: false, message: 'Enter a valid email address.', status: 400 };
    if (!this.allows(email))
      return { ok: false, message: `Sign-up is open to addresses at ${this.#ctx.features.signUp.domains.join(', ')} only.`, status: 400 };
    const problem = passwordProblem(form.password) ?? (form.password === form.confirm ? undefined : 'the two passwords differ');
    if (problem) return { ok: false, message: `The password is not accepted: ${problem}.`, status: 400 };
    const wait = await rateLimit(this.#ctx, [
      [`mail:signup:ip:${request.ip ?? 'unknown'}`, PER_ADDRESS],
      [`mail:signup:email:${email.toLowerCase()}`, PER_ACCOUNT],
    ]);
    if (wait > 0)
      return { ok: false, message: `Too many sign-ups from here or for this address. Try again in ${Math.ceil(wait / 60)} minute(s).`, status: 429 };
    // Hashing first, always, so the answer takes as long whether or not the address is known.
    const passwordHash = await hashPassword(form.password);
    this.#ctx.later(() => this.#create(email, passwordHash, form.name?.trim()));
    return { ok: true };
  }

  async #create(email: string, passwordHash: string, name: string | undefined): Promise<void> {
    const { store } = this.#ctx;
    const existing = (await store.getUserByUsername(email.toLowerCase())) ?? (await store.findUsersByEmail(email))[0];
    if (existing?.signUpPending) {
      await this.#verification.send(existing);
      return;
    }
    if (existing) {
      const content = renderMail('sign-up-exists', { issuer: this.#ctx.issuer, link: `${this.#ctx.issuer}/password/forgot` }, this.#ctx.templates);
      await this.#ctx.outbox.enqueue(`sign-up-exists:${existing.id}:${this.#ctx.clock.now()}`, 'sign-up-exists', email, content);
      return;
    }
    const user: User = {
      id: randomUUID(),
      username: email.toLowerCase(),
      email,
      emailVerified: false,
      passwordHash,
      active: false,
      signUpPending: true,
      roles: [],
      ...(name ? { name: name.slice(0, 200) } : {}),
    };
    const stored = await store.upsertUser(user);
    this.#ctx.audit.record({
      type: 'management.changed',
      outcome: 'success',
      actor: { type: 'user', id: stored.id },
      subject: stored.id,
      details: { kind: 'user', id: stored.id, action: 'created', source: 'sign_up' },
    });
    await this.#verification.send(stored);
  }
}
