/**
 * Signing in with a passkey alone (passwordless), for every sign-in page: the sign-in
 * step of an authorization and the account page's own. The page carries a request for
 * any discoverable credential, its challenge bound to this browser; the answer names
 * the user. A user-verified passkey is two factors by itself, so no second step
 * follows: a session starts with the passkey's methods (amr) at once.
 */
import { requestOrigin } from '../audit/request-origin.js';
import type { FlowContext } from '../interaction/flow-context.js';
import type { User } from '../model.js';
import type { PasskeyPrompt } from '../ports/views.js';
import type { EngineRequest } from '../request.js';
import { PASSKEY_SCRIPT_PATH } from './passkeys.js';

export type PasskeySignIn = { ok: true; user: User; cookie: string } | { ok: false; message: string; status: number };

/** The sign-in page's passkey request, bound to this browser (a fresh challenge each time the page is shown). */
export async function passkeySignInPrompt(ctx: FlowContext, browser: string, action: string): Promise<PasskeyPrompt & { action: string }> {
  return { action, options: await ctx.passkeys.authenticationOptions('sign-in', browser), script: `${ctx.issuer}${PASSKEY_SCRIPT_PATH}` };
}

export async function passkeySignIn(ctx: FlowContext, request: EngineRequest, browser: string, clientId?: string): Promise<PasskeySignIn> {
  const origin = requestOrigin(request);
  const checked = await ctx.passkeys.verify(request.params.get('credential'), {
    purpose: 'sign-in',
    binding: browser,
    origin,
    ...(clientId !== undefined ? { clientId } : {}),
  });
  if (!checked.ok) return checked;
  const { user, amr } = checked;
  const userAgent = request.headers['user-agent'];
  const { cookie } = await ctx.sessions.create(user.id, { ...(userAgent ? { userAgent } : {}), ...(request.ip ? { ip: request.ip } : {}) }, amr);
  ctx.audit.record({
    type: 'signin.succeeded',
    outcome: 'success',
    actor: { type: 'user', id: user.id },
    subject: user.id,
    ...(clientId !== undefined ? { clientId } : {}),
    ...origin,
    details: { username: user.username, method: 'passkey', passkey: checked.passkey.id, amr },
  });
  return { ok: true, user, cookie };
}
