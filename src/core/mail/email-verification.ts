/**
 * Email verification: a link to every new or changed address, valid a day, used
 * once, void once the address changes again. Following it marks the address
 * verified (what `email_verified` in ID tokens and userinfo reports) and, for an
 * account that signed itself up, activates the account and signs it in.
 */
import { requestOrigin } from '../audit/request-origin.js';
import type { User } from '../model.js';
import type { EngineRequest } from '../request.js';
import { hasEmail, LINK_TTL, PER_ACCOUNT, rateLimit, sendLink, signInByMail, type MailContext } from './mail-context.js';

export type VerifyResult = { ok: true; user: User; cookie?: string } | { ok: false };

export class EmailVerification {
  readonly #ctx: MailContext;

  constructor(ctx: MailContext) {
    this.#ctx = ctx;
  }

  /**
   * Sends a link to the user's address unless it is verified, or sent too often lately
   * (then returns the seconds to wait; 0 when sent or nothing to send).
   */
  async send(user: User): Promise<number> {
    if (!hasEmail(user) || user.emailVerified) return 0;
    const wait = await rateLimit(this.#ctx, [[`mail:verify:user:${user.id}`, PER_ACCOUNT]]);
    if (wait === 0) await sendLink(this.#ctx, 'verify-email', 'verify-email', 'email/verify', user, { hours: String(LINK_TTL['verify-email'] / 3600) });
    return wait;
  }

  /** After an administrator or the user set an address: send a link if the address is new and unverified. */
  async afterChange(before: User | undefined, after: User): Promise<void> {
    if (!this.#ctx.features.verification || !after.email || after.emailVerified) return;
    if (before?.email?.toLowerCase() === after.email.toLowerCase() && before.emailVerified === after.emailVerified) return;
    await this.send(after);
  }

  check(token: string | undefined): Promise<User | undefined> {
    return this.#ctx.links.peek('verify-email', token, (id) => this.#ctx.store.getUser(id));
  }

  async complete(token: string | undefined, request: EngineRequest): Promise<VerifyResult> {
    const user = await this.#ctx.links.consume('verify-email', token, (id) => this.#ctx.store.getUser(id));
    if (!user) return { ok: false };
    const activating = user.signUpPending === true;
    const { signUpPending: _, ...rest } = user;
    const verified: User = { ...rest, emailVerified: true, ...(activating ? { active: true } : {}) };
    await this.#ctx.store.upsertUser(verified);
    const actor = { type: 'user', id: user.id } as const;
    this.#ctx.audit.record({
      type: 'management.changed',
      outcome: 'success',
      actor,
      subject: user.id,
      ...requestOrigin(request),
      details: { kind: 'user', id: user.id, action: 'email_verified', activated: activating },
    });
    if (!activating) return { ok: true, user: verified };
    const cookie = await signInByMail(this.#ctx, verified, request, 'sign_up');
    return { ok: true, user: verified, ...(cookie ? { cookie } : {}) };
  }
}
