/**
 * Signing in through upstream identity providers:
 *   GET /interaction/:id/upstream/:provider   leave an authorization's sign-in page for the provider
 *   GET /account/upstream/:provider           the same for the account page's sign-in
 *   GET /account/link/:provider?csrf=         link another identity to the signed-in user
 *   GET /upstream/:provider/callback          the redirect URI registered at the provider
 * Whatever goes wrong upstream ends on a page that says what happened and offers a way
 * back, or, when the user said no upstream, as access_denied to the client.
 *
 * A provider's answer that arrives without the browser cookie (opened in another browser
 * or app) cannot be tied to the browser that started the sign-in. It goes on only to the
 * second step of an account that already has a second factor, in a browser cookie of its
 * own: the code proves the person at this browser holds the account, so another site
 * cannot sign a visitor in to an account of its choosing (login CSRF). Anyone else is
 * asked to start again, and nothing is created or linked for them.
 */
import { randomBytes } from 'node:crypto';
import { requestOrigin } from '../audit/request-origin.js';
import { accessDenied } from '../errors.js';
import { resolveUpstreamUser, linkIdentity } from '../federation/federated-accounts.js';
import { UpstreamError } from '../federation/upstream-error.js';
import type { CompletedUpstream } from '../federation/upstream-sign-in.js';
import { afterFirstFactor } from '../mfa/after-first-factor.js';
import { wantsMfa } from '../mfa/mfa-policy.js';
import type { FlowContext } from '../interaction/flow-context.js';
import { BROWSER_COOKIE } from '../interaction/pending-authorizations.js';
import { SESSION_COOKIE, SESSION_TTL } from '../interaction/sessions.js';
import type { IdentityProvider } from '../model.js';
import type { EngineRequest, EngineResponse } from '../request.js';
import { accountVisitor, csrfValid, isVisitor, redirect } from '../account/visitor.js';
import { authorizationErrorResponse } from './authorize.js';

const CALLBACK_PARAMS = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri'];

const MESSAGES: Record<UpstreamError['failure'], (name: string) => string> = {
  denied: (name) => `You did not allow the sign-in at ${name}.`,
  unreachable: (name) => `${name} cannot be reached right now. Try again in a moment, or choose another way to sign in.`,
  rejected: (name) => `The answer from ${name} did not pass Tessera's checks, so you were not signed in. Try again.`,
  misconfigured: (name) => `Sign-in with ${name} is not set up correctly. Tell your administrator; meanwhile choose another way to sign in.`,
};

export function upstreamEndpoints(ctx: FlowContext) {
  const { upstream } = ctx;
  const back = (purpose: CompletedUpstream['purpose'] | undefined) =>
    purpose?.kind === 'authorize'
      ? { name: 'Back to sign-in', href: `${ctx.issuer}/interaction/${purpose.pendingId}` }
      : purpose?.kind === 'link'
        ? { name: 'Back to your account', href: `${ctx.issuer}/account#identities` }
        : { name: 'Back to sign-in', href: `${ctx.issuer}/account/sign-in` };
  const unknownProvider = () => ctx.views.upstreamError({ title: 'Not available', message: 'There is no such way to sign in here.', status: 404 });
  const expired = (purpose?: CompletedUpstream['purpose']) =>
    ctx.views.upstreamError({
      title: 'This sign-in cannot be completed',
      message: 'It has expired, was already used, or was started in another browser. Start again.',
      status: 400,
      ...(purpose ? { back: back(purpose) } : {}),
    });

  function failed(request: EngineRequest, provider: Pick<IdentityProvider, 'id'>, error: UpstreamError, clientId?: string): void {
    ctx.audit.record({
      type: 'signin.failed',
      outcome: 'failure',
      reason: `upstream_${error.failure}`,
      ...(clientId ? { clientId } : {}),
      ...requestOrigin(request),
      details: { provider: provider.id, detail: error.detail },
    });
  }

  async function begin(provider: IdentityProvider, purpose: CompletedUpstream['purpose'], request: EngineRequest, browser: string): Promise<EngineResponse> {
    try {
      return redirect(await upstream.begin(provider, purpose, browser));
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      failed(request, provider, error);
      return ctx.views.upstreamError({
        title: `Cannot reach ${provider.name}`,
        message: MESSAGES[error.failure](provider.name),
        status: 502,
        back: back(purpose),
      });
    }
  }

  async function startForAuthorization(request: EngineRequest): Promise<EngineResponse> {
    const browser = request.cookies?.[BROWSER_COOKIE];
    const pending = await ctx.pending.find(request.pathParams?.id, browser);
    const client = pending ? await ctx.catalog.client(pending.request.clientId) : undefined;
    if (!pending || !client) return expired();
    const provider = await upstream.find(request.pathParams?.provider, client);
    if (!provider) return unknownProvider();
    return begin(provider, { kind: 'authorize', pendingId: pending.id }, request, browser!);
  }

  async function startForAccount(request: EngineRequest): Promise<EngineResponse> {
    const browser = request.cookies?.[BROWSER_COOKIE];
    if (!browser || !/^[\w-]{43}$/.test(browser)) return redirect(`${ctx.issuer}/account/sign-in`);
    const provider = await upstream.find(request.pathParams?.provider);
    return provider ? begin(provider, { kind: 'account' }, request, browser) : unknownProvider();
  }

  async function startLink(request: EngineRequest): Promise<EngineResponse> {
    const visitor = await accountVisitor(ctx, request);
    if (!isVisitor(visitor)) return visitor;
    const browser = request.cookies?.[BROWSER_COOKIE];
    if (!csrfValid(visitor, request) || !browser) {
      return ctx.views.upstreamError({
        title: 'Request refused',
        message: 'The link was not opened from your account page. Reload the account page and try again.',
        status: 403,
      });
    }
    const provider = await upstream.find(request.pathParams?.provider);
    return provider ? begin(provider, { kind: 'link', userId: visitor.user.id }, request, browser) : unknownProvider();
  }

  async function callback(request: EngineRequest): Promise<EngineResponse> {
    const providerId = request.pathParams?.provider ?? '';
    const params: Record<string, string> = {};
    for (const name of CALLBACK_PARAMS) {
      const value = request.params.get(name);
      if (value !== undefined) params[name] = value;
    }
    let completed: CompletedUpstream | undefined;
    try {
      completed = await upstream.complete(providerId, params, request.cookies?.[BROWSER_COOKIE]);
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      return upstreamFailure(request, providerId, error);
    }
    if (!completed) {
      ctx.audit.record({
        type: 'signin.failed',
        outcome: 'failure',
        reason: 'upstream_state_mismatch',
        ...requestOrigin(request),
        details: { provider: providerId },
      });
      return expired();
    }
    if (completed.purpose.kind === 'link') return completed.sameBrowser ? finishLink(request, completed) : expired(completed.purpose);
    return completed.sameBrowser ? finishSignIn(request, completed) : finishElsewhere(request, completed);
  }

  /** The state was good but the upstream said no or failed: tell the user, or the client if the user refused. */
  async function upstreamFailure(request: EngineRequest, providerId: string, error: UpstreamError): Promise<EngineResponse> {
    const provider = (await ctx.store.getIdentityProvider(providerId)) ?? { id: providerId, name: providerId };
    const purpose = error.purpose;
    const pending = purpose?.kind === 'authorize' ? await ctx.pending.find(purpose.pendingId, request.cookies?.[BROWSER_COOKIE]) : undefined;
    failed(request, provider, error, pending?.request.clientId);
    if (pending && error.failure === 'denied' && !pending.device) {
      await ctx.pending.finish(pending);
      const target = { redirectTarget: { redirectUri: pending.request.redirectUri, responseMode: pending.request.responseMode }, request: pending.request };
      return authorizationErrorResponse(ctx, target, accessDenied(`the user denied the sign-in at ${provider.name}`));
    }
    const status = error.failure === 'unreachable' ? 502 : error.failure === 'denied' ? 403 : 400;
    return ctx.views.upstreamError({
      title: `Sign-in with ${provider.name} did not work`,
      message: MESSAGES[error.failure](provider.name),
      status,
      ...(purpose ? { back: back(purpose) } : {}),
    });
  }

  /** `secondFactor`: a second factor is asked for whatever the policy (an answer that came without the browser cookie). */
  async function finishSignIn(request: EngineRequest, { provider, purpose, profile }: CompletedUpstream, secondFactor = false): Promise<EngineResponse> {
    const browser = request.cookies?.[BROWSER_COOKIE];
    const pending = purpose.kind === 'authorize' ? await ctx.pending.find(purpose.pendingId, browser) : undefined;
    if (purpose.kind === 'authorize' && !pending) return expired();
    const origin = requestOrigin(request);
    const clientId = pending?.request.clientId;
    const user = await resolveUpstreamUser(ctx, provider, profile, origin);
    const signIn = { ...(clientId ? { clientId } : {}), ...origin, details: { provider: provider.id, upstreamSubject: profile.subject } };
    if (!user.active) {
      ctx.audit.record({ type: 'signin.failed', outcome: 'failure', reason: 'inactive_user', subject: user.id, ...signIn });
      return ctx.views.upstreamError({ title: 'Account inactive', message: 'This account is inactive. Contact your administrator.', status: 403 });
    }
    const client = pending ? await ctx.catalog.client(pending.request.clientId) : undefined;
    const outcome = await afterFirstFactor(ctx, request, user, {
      amr: [],
      next: pending ? `${ctx.issuer}/interaction/${pending.id}` : `${ctx.issuer}/account`,
      browser: browser ?? '',
      ...(client ? { client } : {}),
      formActions: pending ? [new URL(pending.request.redirectUri).origin] : [],
      wantMfa: secondFactor || (pending ? wantsMfa(pending.request) : false),
    });
    if (pending) {
      pending.userId = user.id;
      await ctx.pending.save(pending);
    }
    // A user with a second factor (or who must have one) presents it before any session starts.
    if ('secondStep' in outcome) return redirect(outcome.secondStep);
    ctx.audit.record({ type: 'signin.succeeded', outcome: 'success', actor: { type: 'user', id: user.id }, subject: user.id, ...signIn });
    let response: EngineResponse;
    if (pending) {
      response = redirect(`${ctx.issuer}/interaction/${pending.id}`);
    } else {
      await ctx.sessions.destroy(request.cookies?.[SESSION_COOKIE]);
      response = redirect(`${ctx.issuer}/account`);
    }
    response.setCookies = [{ name: SESSION_COOKIE, value: outcome.cookie, maxAge: SESSION_TTL }];
    return response;
  }

  /** The answer came without the browser cookie: on to the second step if the account has a factor, else start again. */
  async function finishElsewhere(request: EngineRequest, completed: CompletedUpstream): Promise<EngineResponse> {
    const { provider, purpose, profile } = completed;
    const known = await ctx.store.findFederatedIdentity(provider.id, profile.subject);
    const user = known ? await ctx.store.getUser(known.userId) : undefined;
    if (!user?.active || !(await ctx.mfa.has(user.id))) {
      ctx.audit.record({
        type: 'signin.failed',
        outcome: 'failure',
        reason: 'upstream_other_browser',
        ...(user ? { subject: user.id } : {}),
        ...requestOrigin(request),
        details: { provider: provider.id, upstreamSubject: profile.subject },
      });
      return expired(purpose);
    }
    const browser = randomBytes(32).toString('base64url');
    if (purpose.kind === 'authorize' && !(await ctx.pending.rebind(purpose.pendingId, browser))) return expired();
    const response = await finishSignIn({ ...request, cookies: { ...request.cookies, [BROWSER_COOKIE]: browser } }, completed, true);
    response.setCookies = [...(response.setCookies ?? []), { name: BROWSER_COOKIE, value: browser }];
    return response;
  }

  async function finishLink(request: EngineRequest, { provider, purpose, profile }: CompletedUpstream): Promise<EngineResponse> {
    const session = await ctx.sessions.find(request.cookies?.[SESSION_COOKIE]);
    if (purpose.kind !== 'link' || session?.userId !== purpose.userId) return expired(purpose);
    const linked = await linkIdentity(ctx, provider, profile, purpose.userId);
    const existing = linked ? undefined : await ctx.store.findFederatedIdentity(provider.id, profile.subject);
    if (!linked && existing?.userId !== purpose.userId) {
      return ctx.views.upstreamError({
        title: 'Already linked',
        message: `This ${provider.name} account is already linked to another Tessera account.`,
        status: 409,
        back: back(purpose),
      });
    }
    if (linked) {
      ctx.audit.record({
        type: 'upstream.linked',
        outcome: 'success',
        actor: { type: 'user', id: purpose.userId },
        subject: purpose.userId,
        ...requestOrigin(request),
        details: { provider: provider.id, upstreamSubject: profile.subject, via: 'account' },
      });
    }
    return redirect(`${ctx.issuer}/account?done=identity-linked#identities`);
  }

  return { startForAuthorization, startForAccount, startLink, callback };
}
