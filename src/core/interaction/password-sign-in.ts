/**
 * Checking a username and password, for every page that signs people in (an
 * authorization's sign-in step, the account page): throttled per account and
 * address, timed the same whether or not the user exists, and audited either way
 * (the username as typed, bounded; the password never). On success a session starts,
 * or the second step when the user has a factor or must set one up (mfa/after-first-factor.ts).
 */
import { requestOrigin } from '../audit/request-origin.js';
import { verifyPassword } from '../crypto/password.js';
import { afterFirstFactor, type Continuation } from '../mfa/after-first-factor.js';
import type { User } from '../model.js';
import type { EngineRequest } from '../request.js';
import type { FlowContext } from './flow-context.js';

/** Verified against when the username is unknown, so timing does not tell which usernames exist. */
export const DECOY_PASSWORD_HASH = 'scrypt$N=32768,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export type PasswordSignIn =
  | { ok: true; user: User; cookie: string }
  | { ok: true; user: User; secondStep: string }
  | { ok: false; message: string; status: number };

export async function passwordSignIn(
  ctx: FlowContext,
  request: EngineRequest,
  username: string,
  password: string,
  then: Omit<Continuation, 'amr'>,
): Promise<PasswordSignIn> {
  const clientId = then.client?.clientId;
  if (!username || !password) return { ok: false, message: 'Enter your username and password.', status: 400 };
  const ip = request.ip ?? 'unknown';
  const signIn = { ...(clientId !== undefined ? { clientId } : {}), ...requestOrigin(request), details: { username: username.slice(0, 200) } };
  const failed = (reason: string, subject?: string) =>
    ctx.audit.record({ type: 'signin.failed', outcome: 'failure', reason, ...(subject ? { subject } : {}), ...signIn });
  const wait = await ctx.throttle.waitFor(username, ip);
  if (wait > 0) {
    failed('throttled');
    return { ok: false, message: `Too many failed sign-ins. Try again in ${wait} second${wait === 1 ? '' : 's'}.`, status: 429 };
  }
  const user = await ctx.store.getUserByUsername(username);
  const valid = await verifyPassword(password, user?.passwordHash ?? DECOY_PASSWORD_HASH);
  if (!user || !valid) {
    await ctx.throttle.recordFailure(username, ip);
    failed(user ? 'wrong_password' : 'unknown_user', user?.id);
    return { ok: false, message: 'Wrong username or password.', status: 401 };
  }
  if (!user.active) {
    failed('inactive_user', user.id);
    return { ok: false, message: 'This account is inactive. Contact your administrator.', status: 403 };
  }
  await ctx.throttle.recordSuccess(username);
  const outcome = await afterFirstFactor(ctx, request, user, { ...then, amr: ['pwd'] });
  if ('secondStep' in outcome) return { ok: true, user, secondStep: outcome.secondStep };
  ctx.audit.record({
    type: 'signin.succeeded',
    outcome: 'success',
    actor: { type: 'user', id: user.id },
    subject: user.id,
    ...signIn,
    details: { ...signIn.details, amr: ['pwd'] },
  });
  return { ok: true, user, cookie: outcome.cookie };
}
