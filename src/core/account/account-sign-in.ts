/**
 * GET/POST /account/sign-in: Tessera's own sign-in page, for the account page rather
 * than an app. The form is bound to the browser (the same cookie authorization flows
 * use) by a token derived from it, so another site cannot sign a visitor in to an
 * account of its choosing (login CSRF). Success starts a session and returns to /account.
 */
import { randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../crypto/constant-time.js';
import type { FlowContext } from '../interaction/flow-context.js';
import { passwordSignIn } from '../interaction/password-sign-in.js';
import { BROWSER_COOKIE } from '../interaction/pending-authorizations.js';
import { SESSION_COOKIE, SESSION_TTL } from '../interaction/sessions.js';
import type { EngineRequest, EngineResponse } from '../request.js';
import { accountVisitor, isVisitor, redirect } from './visitor.js';

const BROWSER = /^[\w-]{43}$/;

export function accountSignIn(ctx: FlowContext) {
  const csrfFor = (browser: string) => ctx.hasher.hash(`account-sign-in:${browser}`);
  const form = async (browser: string, extra: { username?: string; error?: string; status?: number } = {}) => {
    const providers = (await ctx.upstream.offered()).map((p) => ({ name: p.name, href: `${ctx.issuer}/account/upstream/${p.id}` }));
    return ctx.views.signIn({ action: `${ctx.issuer}/account/sign-in`, csrf: csrfFor(browser), clientName: 'your Tessera account', formActions: [], links: ctx.signInLinks, providers, ...extra });
  };

  return async function handleAccountSignIn(request: EngineRequest): Promise<EngineResponse> {
    const existing = request.cookies?.[BROWSER_COOKIE];
    const browser = existing && BROWSER.test(existing) ? existing : undefined;
    if (request.method === 'GET') {
      if (isVisitor(await accountVisitor(ctx, request))) return redirect(`${ctx.issuer}/account`);
      const value = browser ?? randomBytes(32).toString('base64url');
      const response = await form(value);
      if (!browser) response.setCookies = [{ name: BROWSER_COOKIE, value }];
      return response;
    }
    if (!browser || !constantTimeEqual(request.params.get('csrf'), csrfFor(browser))) {
      return ctx.views.error('Request refused', 'The form was not sent from this sign-in page (CSRF check failed). Open your account page and try again.', 403);
    }
    const username = (request.params.get('username') ?? '').trim();
    const result = await passwordSignIn(ctx, request, username, request.params.get('password') ?? '', { next: `${ctx.issuer}/account`, browser });
    if (!result.ok) return form(browser, { username, error: result.message, status: result.status });
    if ('secondStep' in result) return redirect(result.secondStep);
    // The cookie this browser had (a session ended or of someone else) is replaced: end its session too.
    await ctx.sessions.destroy(request.cookies?.[SESSION_COOKIE]);
    const response = redirect(`${ctx.issuer}/account`);
    response.setCookies = [{ name: SESSION_COOKIE, value: result.cookie, maxAge: SESSION_TTL }];
    return response;
  };
}
