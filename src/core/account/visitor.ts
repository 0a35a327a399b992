/**
 * Who is on the account page: the signed-in user of this browser's session, with the
 * form token that every POST must carry. Without a live session (or one voided by
 * "revoke everything"), the visitor is sent to sign in; an inactive user is refused.
 */
import type { FlowContext } from '../interaction/flow-context.js';
import { SESSION_COOKIE, type Session } from '../interaction/sessions.js';
import type { User } from '../model.js';
import type { EngineRequest, EngineResponse } from '../request.js';
import { constantTimeEqual } from '../crypto/constant-time.js';

export interface AccountVisitor {
  user: User;
  session: Session;
  /** The CSRF token of this session's forms. */
  csrf: string;
}

export const redirect = (location: string): EngineResponse => ({ status: 303, headers: { Location: location, 'Cache-Control': 'no-store' } });

/** The visitor, or the response to send instead (to sign in, or a refusal). */
export async function accountVisitor(ctx: FlowContext, request: EngineRequest): Promise<AccountVisitor | EngineResponse> {
  const cookie = request.cookies?.[SESSION_COOKIE];
  const session = await ctx.sessions.find(cookie);
  const user = session ? await ctx.store.getUser(session.userId) : undefined;
  if (!session || !user || (user.notBefore !== undefined && session.authTime <= user.notBefore)) {
    return redirect(`${ctx.issuer}/account/sign-in`);
  }
  if (!user.active) return ctx.views.error('Account inactive', 'This account is inactive. Contact your administrator.', 403);
  return { user, session, csrf: ctx.sessions.formToken(cookie!) };
}

export function isVisitor(value: AccountVisitor | EngineResponse): value is AccountVisitor {
  return 'user' in value;
}

export function csrfValid(visitor: AccountVisitor, request: EngineRequest): boolean {
  return constantTimeEqual(request.params.get('csrf'), visitor.csrf);
}
