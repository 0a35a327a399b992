/**
 * GET and POST /authorize. Validates the request (authorize/index.ts), then either
 * completes it at once (signed in, consent on file), answers prompt=none's
 * login_required / consent_required, or parks it and sends the browser to sign in.
 */
import { requestOrigin } from '../audit/request-origin.js';
import { validateAuthorizationRequest } from '../authorize/index.js';
import type { AuthorizeState } from '../authorize/authorization-request.js';
import { deliverAuthorizationResponse } from '../authorize/deliver-response.js';
import { authorizationError, OAuthError } from '../errors.js';
import { completeAuthorization } from '../interaction/complete-authorization.js';
import { decideInteraction } from '../interaction/decide-interaction.js';
import type { FlowContext } from '../interaction/flow-context.js';
import { BROWSER_COOKIE } from '../interaction/pending-authorizations.js';
import { SESSION_COOKIE } from '../interaction/sessions.js';
import type { EngineRequest, EngineResponse } from '../request.js';

/** An error before the redirect URI is trusted is shown to the user, never redirected. */
export function authorizationErrorResponse(ctx: FlowContext, state: Pick<AuthorizeState, 'redirectTarget' | 'request'>, error: unknown): EngineResponse {
  if (!(error instanceof OAuthError)) throw error;
  if (!state.redirectTarget) {
    // An outage is not the link's fault: the HTTP layer answers its 503 page.
    if (error.status === 503) throw error;
    return ctx.views.error('This sign-in link is not valid', `${error.description} (${error.error}). Go back to the application and try again.`, 400);
  }
  return deliverAuthorizationResponse(
    state.redirectTarget.redirectUri,
    state.redirectTarget.responseMode,
    { error: error.error, error_description: error.description, state: state.request.state ?? undefined },
    ctx.issuer,
    ctx.views,
  );
}

export function authorizationEndpoint(ctx: FlowContext) {
  return async function handleAuthorizationRequest(request: EngineRequest): Promise<EngineResponse> {
    const state: AuthorizeState = { params: request.params, request: {} };
    try {
      const validated = await validateAuthorizationRequest(state, { catalog: ctx.catalog, jwts: ctx.jwts, issuer: ctx.issuer });
      const session = await ctx.sessions.find(request.cookies?.[SESSION_COOKIE]);
      const interaction = await decideInteraction(ctx, validated, state.client!, session, false);
      if (interaction.next === 'done') return await completeAuthorization(ctx, validated, interaction.user, session!, requestOrigin(request));
      if (validated.prompt.includes('none')) {
        throw interaction.next === 'login'
          ? authorizationError('login_required', 'the user is not signed in')
          : interaction.next === 'second_factor'
            ? authorizationError('interaction_required', 'the user must present a second factor')
            : authorizationError('consent_required', 'the user has not consented to this client and scope');
      }
      // idp=<id>: go straight to that upstream provider instead of showing the sign-in page.
      const idp = request.params.get('idp');
      if (idp !== undefined && interaction.next === 'login' && !(await ctx.upstream.find(idp, state.client))) {
        throw authorizationError('invalid_request', `idp: ${idp} is not an identity provider this client offers`);
      }
      const { pending, browser } = await ctx.pending.start(validated, request.cookies?.[BROWSER_COOKIE]);
      const next = idp !== undefined && interaction.next === 'login' ? `/upstream/${idp}` : '';
      return {
        status: 303,
        headers: { Location: `${ctx.issuer}/interaction/${pending.id}${next}`, 'Cache-Control': 'no-store' },
        setCookies: [{ name: BROWSER_COOKIE, value: browser }],
      };
    } catch (error) {
      // `state` could be read from the request only partly; whatever was established decides where the error goes.
      if (state.request.state === undefined) {
        const raw = request.params.getAll('state')[0];
        if (raw !== undefined) state.request.state = raw;
      }
      return authorizationErrorResponse(ctx, state, error);
    }
  };
}
