/**
 * Password reset by mail. Asking for a link answers the same whether or not an
 * account exists, at the same speed: the answer is sent before the accounts are even
 * looked up (that and the queuing happen afterwards). Links last 30 minutes, work
 * once, and die when the password changes. Setting the new password signs out every
 * session of the account, is audited, and signs this browser in.
 */
import { requestOrigin } from '../audit/request-origin.js';
import { hashPassword, passwordProblem } from '../crypto/password.js';
import type { User } from '../model.js';
import type { EngineRequest } from '../request.js';
import { hasEmail, LINK_TTL, PER_ACCOUNT, PER_ADDRESS, rateLimit, sendLink, signInByMail, type MailContext } from './mail-context.js';

export type ResetResult = { ok: true; user: User; cookie?: string } | { ok: false; problem: 'invalid' } | { ok: false; problem: 'password'; message: string };

export class PasswordReset {
  readonly #ctx: MailContext;

  constructor(ctx: MailContext) {
    this.#ctx = ctx;
  }

  /**
   * "Send me a link" for a username or an email address. Returns the seconds to wait
   * when this address or this identifier asked too often, else 0 (and the link goes out
   * to every active account it names that has an email address).
   */
  async request(identifier: string, request: EngineRequest): Promise<number> {
    const typed = identifier.trim().toLowerCase().slice(0, 320);
    const wait = await rateLimit(this.#ctx, [
      [`mail:reset:ip:${request.ip ?? 'unknown'}`, PER_ADDRESS],
      [`mail:reset:id:${typed}`, PER_ACCOUNT],
    ]);
    if (wait === 0 && typed) this.#ctx.later(() => this.#sendLinks(identifier.trim()));
    return wait;
  }

  async #sendLinks(identifier: string): Promise<void> {
    const { store } = this.#ctx;
    const byName = await store.getUserByUsername(identifier);
    const byEmail = identifier.includes('@') ? await store.findUsersByEmail(identifier) : [];
    const users = new Map([...(byName ? [byName] : []), ...byEmail].map((u) => [u.id, u]));
    for (const user of users.values()) {
      if (!hasEmail(user) || !user.active) continue;
      // Per account too, whichever name or address was typed.
      if ((await rateLimit(this.#ctx, [[`mail:reset:user:${user.id}`, PER_ACCOUNT]])) > 0) continue;
      await sendLink(this.#ctx, 'password-reset', 'password-reset', 'password/reset', user, { minutes: String(LINK_TTL['password-reset'] / 60) });
    }
  }

  /** The account a reset link is for, while it is usable (to show the form). */
  check(token: string | undefined): Promise<User | undefined> {
    return this.#ctx.links.peek('password-reset', token, (id) => this.#ctx.store.getUser(id));
  }

  /** Sets the new password: checks it, then uses the link (once), ends every session and starts this one. */
  complete(token: string | undefined, password: string, confirm: string | undefined, request: EngineRequest): Promise<ResetResult> {
    return completeWithPassword(this.#ctx, 'password-reset', token, { password, confirm }, request);
  }
}

/** Ends a flow whose link lets the person choose a password (reset, invitation): checks the password, then uses the link. */
export async function completeWithPassword(
  ctx: MailContext,
  purpose: 'password-reset' | 'invitation',
  token: string | undefined,
  form: { password: string; confirm: string | undefined },
  request: EngineRequest,
): Promise<ResetResult> {
  const load = (id: string) => ctx.store.getUser(id);
  if (!(await ctx.links.peek(purpose, token, load))) return { ok: false, problem: 'invalid' };
  const problem = passwordProblem(form.password) ?? (form.password === form.confirm ? undefined : 'the two passwords differ');
  if (problem) return { ok: false, problem: 'password', message: problem };
  const user = await ctx.links.consume(purpose, token, load);
  if (!user || !user.active) return { ok: false, problem: 'invalid' };
  const cookie = await setPasswordAndSignIn(ctx, user, form.password, request, purpose.replace('-', '_'));
  return { ok: true, user, ...(cookie ? { cookie } : {}) };
}

/**
 * For every flow that ends with the person choosing a password through a mailed
 * link: the address is thereby proven, every other session ends, the change is
 * audited, and this browser is signed in.
 */
export async function setPasswordAndSignIn(
  ctx: MailContext,
  user: User,
  password: string,
  request: EngineRequest,
  source: string,
): Promise<string | undefined> {
  const updated: User = { ...user, passwordHash: await hashPassword(password), emailVerified: true };
  await ctx.store.upsertUser(updated);
  const ended = await ctx.sessions.endAll(user.id);
  await ctx.throttle.recordSuccess(user.username);
  ctx.audit.record({
    type: 'management.changed',
    outcome: 'success',
    actor: { type: 'user', id: user.id },
    subject: user.id,
    ...requestOrigin(request),
    details: { kind: 'user', id: user.id, action: 'password_set', source, endedSessions: ended },
  });
  return signInByMail(ctx, updated, request, source);
}
