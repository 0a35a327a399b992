/**
 * GET/POST /logout: OpenID Connect RP-Initiated Logout 1.0. With a valid
 * id_token_hint for the signed-in user the session ends at once; otherwise the user
 * confirms (a form bound to the session, so another site cannot sign people out).
 * post_logout_redirect_uri must be registered by the client exactly.
 */
import { constantTimeEqual } from '../crypto/constant-time.js';
import type { FlowContext } from '../interaction/flow-context.js';
import { SESSION_COOKIE } from '../interaction/sessions.js';
import type { EngineRequest, EngineResponse } from '../request.js';

const FORWARDED = ['id_token_hint', 'post_logout_redirect_uri', 'state', 'client_id'] as const;

export function logoutEndpoint(ctx: FlowContext) {
  return async function handleLogout(request: EngineRequest): Promise<EngineResponse> {
    const { params } = request;
    const hintToken = params.get('id_token_hint');
    const hint = hintToken !== undefined ? ctx.jwts.verify(hintToken, 'JWT') : undefined;
    if (hintToken !== undefined && (!hint || hint.iss !== ctx.issuer)) {
      return ctx.views.error('Sign-out failed', 'The id_token_hint was not issued by this server.', 400);
    }
    const hintAudience = hint ? (Array.isArray(hint.aud) ? hint.aud[0] : hint.aud) : undefined;
    const clientId = params.get('client_id') ?? (typeof hintAudience === 'string' ? hintAudience : undefined);
    if (hint && params.get('client_id') !== undefined && params.get('client_id') !== hintAudience) {
      return ctx.views.error('Sign-out failed', 'client_id does not match the id_token_hint.', 400);
    }
    const redirect = params.get('post_logout_redirect_uri');
    if (redirect !== undefined) {
      const client = clientId !== undefined ? await ctx.catalog.client(clientId) : undefined;
      if (!client) return ctx.views.error('Sign-out failed', 'post_logout_redirect_uri needs client_id or id_token_hint.', 400);
      if (!(client.postLogoutRedirectUris ?? []).includes(redirect)) {
        return ctx.views.error('Sign-out failed', 'post_logout_redirect_uri is not registered for this client.', 400);
      }
    }
    const finish = (): EngineResponse => {
      const end: EngineResponse = redirect
        ? (() => {
            const url = new URL(redirect);
            const state = params.get('state');
            if (state !== undefined) url.searchParams.set('state', state);
            return { status: 303, headers: { Location: url.href, 'Cache-Control': 'no-store' } };
          })()
        : ctx.views.signedOut();
      end.setCookies = [{ name: SESSION_COOKIE, value: '', maxAge: 0 }];
      return end;
    };

    const cookie = request.cookies?.[SESSION_COOKIE];
    const session = await ctx.sessions.find(cookie);
    if (!session) return finish();
    const confirmed = request.method === 'POST' && params.get('logout') !== undefined;
    if (confirmed) {
      if (!constantTimeEqual(params.get('xsrf'), ctx.sessions.formToken(cookie!))) {
        return ctx.views.error('Request refused', 'The sign-out form was not sent from this server (CSRF check failed).', 403);
      }
      if (params.get('logout') !== 'yes') return ctx.views.error('Still signed in', 'You are still signed in.', 200);
      await ctx.sessions.destroy(cookie);
      return finish();
    }
    if (hint && hint.sub === session.userId) {
      await ctx.sessions.destroy(cookie);
      return finish();
    }
    const fields: Record<string, string> = {};
    for (const name of FORWARDED) {
      const value = params.get(name);
      if (value !== undefined) fields[name] = value;
    }
    return ctx.views.logoutConfirm({
      action: `${ctx.issuer}/logout`,
      xsrf: ctx.sessions.formToken(cookie!),
      fields,
      formActions: redirect ? [new URL(redirect).origin] : [],
    });
  };
}
