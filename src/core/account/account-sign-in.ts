/**
 * GET/POST /account/sign-in: Tessera's own sign-in page, for the account page rather
 * than an app. The form is bound to the browser (the same cookie authorization flows
 * use) by a token derived from it, so another site cannot sign a visitor in to an
 * account of its choosing (login CSRF). Success starts a session and returns to /account.
 * POST /account/sign-in/passkey signs in with a passkey alone (mfa/passkey-sign-in.ts).
 */
import { randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../crypto/constant-time.js';
import type { FlowContext } from '../interaction/flow-context.js';
import { passwordSignIn } from '../interaction/password-sign-in.js';
import { passkeySignIn, passkeySignInPrompt } from '../mfa/passkey-sign-in.js';
import { BROWSER_COOKIE } from '../interaction/pending-authorizations.js';
import { SESSION_COOKIE, SESSION_TTL } from '../interaction/sessions.js';
import type { EngineRequest, EngineResponse } from '../request.js';
import { accountVisitor, isVisitor, redirect } from './visitor.js';

const BROWSER = /^[\w-]{43}$/;

export function accountSignIn(ctx: FlowContext) {
  const csrfFor = (browser: string) => ctx.hasher.hash(`account-sign-in:${browser}`);
  const form = async (browser: string, extra: { username?: string; error?: string; status?: number } = {}) => {
    const providers = (await ctx.upstream.offered()).map((p) => ({ name: p.name, href: `${ctx.issuer}/account/upstream/${p.id}` }));
    const passkey = await passkeySignInPrompt(ctx, browser, `${ctx.issuer}/account/sign-in/passkey`);
    return ctx.views.signIn({
      action: `${ctx.issuer}/account/sign-in`,
      csrf: csrfFor(browser),
      clientName: 'your Tessera account',
      formActions: [],
      links: ctx.signInLinks,
      providers,
      passkey,
      ...extra,
    });
  };
  const signedIn = async (request: EngineRequest, cookie: string) => {
    // The cookie this browser had (a session ended or of someone else) is replaced: end its session too.
    await ctx.sessions.destroy(request.cookies?.[SESSION_COOKIE]);
    const response = redirect(`${ctx.issuer}/account`);
    response.setCookies = [{ name: SESSION_COOKIE, value: cookie, maxAge: SESSION_TTL }];
    return response;
  };

  return async function handleAccountSignIn(request: EngineRequest): Promise<EngineResponse> {
    const existing = request.cookies?.[BROWSER_COOKIE];
    const browser = existing && BROWSER.test(existing) ? existing : undefined;
    const withPasskey = request.pathParams?.method === 'passkey';
    if (withPasskey && request.method !== 'POST') return redirect(`${ctx.issuer}/account/sign-in`);
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
    if (withPasskey) {
      const result = await passkeySignIn(ctx, request, browser);
      return result.ok ? signedIn(request, result.cookie) : form(browser, { error: result.message, status: result.status });
    }
    const username = (request.params.get('username') ?? '').trim();
    const result = await passwordSignIn(ctx, request, username, request.params.get('password') ?? '', { next: `${ctx.issuer}/account`, browser });
    if (!result.ok) return form(browser, { username, error: result.message, status: result.status });
    if ('secondStep' in result) return redirect(result.secondStep);
    return signedIn(request, result.cookie);
  };
}
