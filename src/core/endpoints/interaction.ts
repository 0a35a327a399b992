/**
 * The sign-in and consent pages of a pending authorization:
 *   GET  /interaction/:id           shows the step the user is at
 *   POST /interaction/:id/login     username + password
 *   POST /interaction/:id/passkey   credential (a passkey's signature, passwordless)
 *   POST /interaction/:id/consent   decision=allow|deny
 * Every POST checks the browser binding and the form's CSRF token first.
 * A device's request (RFC 8628, started on the verification page) always shows the
 * consent page, first-party or not, and ends on the device, not at a redirect URI.
 */
import { requestOrigin } from '../audit/request-origin.js';
import { accessDenied } from '../errors.js';
import { delegableByUser } from '../credentials/delegation.js';
import { completeAuthorization } from '../interaction/complete-authorization.js';
import { finishDeviceAuthorization } from '../device/finish-device-authorization.js';
import { passwordSignIn } from '../interaction/password-sign-in.js';
import { startSecondStep } from '../mfa/after-first-factor.js';
import { passkeySignIn, passkeySignInPrompt } from '../mfa/passkey-sign-in.js';
import { wantsMfa } from '../mfa/mfa-policy.js';
import { decideInteraction, type Interaction } from '../interaction/decide-interaction.js';
import type { FlowContext } from '../interaction/flow-context.js';
import { BROWSER_COOKIE, type PendingAuthorization } from '../interaction/pending-authorizations.js';
import { SESSION_COOKIE, SESSION_TTL } from '../interaction/sessions.js';
import type { Client } from '../model.js';
import type { EngineRequest, EngineResponse } from '../request.js';
import { authorizationErrorResponse } from './authorize.js';

export function interactionEndpoints(ctx: FlowContext) {
  const expired = () => ctx.views.error('This sign-in has expired', 'Go back to the application and start again.', 400);
  const action = (pending: PendingAuthorization, step: string) => `${ctx.issuer}/interaction/${pending.id}/${step}`;
  // Forms on these pages may end in a redirect to the client, which CSP form-action must allow.
  /**
   * Where the consent and sign-in forms may end up (CSP form-action also governs the redirect that follows a
   * form): the web origin of the redirect URI, or for a native app's private-use scheme (cursor:, com.example.app:),
   * which has no origin ("null"), the scheme itself.
   */
  const clientOrigin = (pending: PendingAuthorization) => {
    if (pending.device) return [];
    const url = new URL(pending.request.redirectUri);
    return [url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : url.protocol];
  };

  async function load(request: EngineRequest): Promise<{ pending: PendingAuthorization; client: Client } | undefined> {
    const pending = await ctx.pending.find(request.pathParams?.id, request.cookies?.[BROWSER_COOKIE]);
    const client = pending ? await ctx.catalog.client(pending.request.clientId) : undefined;
    return pending && client ? { pending, client } : undefined;
  }

  /** Where the user will be sent: the host of a web redirect URI; the scheme (and host, if any) of a native app's. */
  const redirectHost = (pending: PendingAuthorization) => {
    // A device flow has no redirect: the user goes back to the device.
    if (pending.device) return 'your device';
    const url = new URL(pending.request.redirectUri);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.host;
    // cursor://anysphere.cursor-retrieval/… : the scheme names the app; its host alone would pass for a web site.
    return url.host ? `${url.protocol}//${url.host}` : url.protocol;
  };

  async function showConsent(pending: PendingAuthorization, client: Client, interaction: Extract<Interaction, { next: 'consent' }>) {
    const api = pending.request.api ? await ctx.catalog.api(pending.request.api) : undefined;
    const describe = (name: string) => api?.scopes.find((s) => s.name === name)?.description ?? OIDC_DESCRIPTIONS[name] ?? '';
    return ctx.views.consent({
      action: action(pending, 'consent'),
      csrf: pending.csrf,
      clientName: client.name,
      username: interaction.user.username,
      scopes: interaction.missing.map((name) => ({ name, description: describe(name) })),
      ...(api ? { apiName: api.name } : {}),
      formActions: clientOrigin(pending),
      ...(pending.device ? { device: true } : {}),
      ...(client.metadataDocument
        ? { unverified: { clientId: client.clientId, redirectHost: redirectHost(pending) } }
        : client.registration
          ? { unverified: { redirectHost: redirectHost(pending) } }
          : {}),
    });
  }

  /** "Sign in with …" buttons: the providers this client offers. */
  async function providerButtons(pending: PendingAuthorization, client: Client) {
    return (await ctx.upstream.offered(client)).map((p) => ({ name: p.name, href: `${action(pending, 'upstream')}/${p.id}` }));
  }

  /** The sign-in page, with its passkey request bound to this browser. */
  async function signInPage(
    pending: PendingAuthorization,
    client: Client,
    request: EngineRequest,
    extra: { username?: string; error?: string; status?: number } = {},
  ) {
    return ctx.views.signIn({
      action: action(pending, 'login'),
      csrf: pending.csrf,
      clientName: client.name,
      formActions: clientOrigin(pending),
      links: ctx.signInLinks,
      ...(pending.request.loginHint ? { username: pending.request.loginHint } : {}),
      providers: await providerButtons(pending, client),
      passkey: await passkeySignInPrompt(ctx, request.cookies![BROWSER_COOKIE]!, action(pending, 'passkey')),
      ...extra,
    });
  }

  /** After sign-in or on a fresh page load: consent if needed, else finish. */
  async function proceed(pending: PendingAuthorization, client: Client, request: EngineRequest, sessionCookie: string | undefined) {
    const session = await ctx.sessions.find(sessionCookie);
    const signedIn = pending.userId !== undefined && session?.userId === pending.userId;
    const interaction = await decideInteraction(ctx, pending.request, client, session, signedIn);
    if (interaction.next === 'login') return signInPage(pending, client, request);
    if (interaction.next === 'second_factor') {
      // Step-up over the live session: its methods carry over, a second factor is added.
      pending.userId = interaction.user.id;
      await ctx.pending.save(pending);
      const location = await startSecondStep(ctx, interaction.user, {
        amr: session!.amr,
        next: `${ctx.issuer}/interaction/${pending.id}`,
        browser: request.cookies![BROWSER_COOKIE]!,
        client,
        formActions: clientOrigin(pending),
        wantMfa: wantsMfa(pending.request),
      });
      return { status: 303, headers: { Location: location, 'Cache-Control': 'no-store' } };
    }
    if (pending.device) {
      const scopes = await delegableByUser(ctx.store, interaction.user, pending.request.api, pending.request.scopes);
      return showConsent(pending, client, { next: 'consent', user: interaction.user, missing: scopes });
    }
    if (interaction.next === 'consent') return showConsent(pending, client, interaction);
    await ctx.pending.finish(pending);
    return completeAuthorization(ctx, pending.request, interaction.user, session!, requestOrigin(request));
  }

  return {
    async show(request: EngineRequest): Promise<EngineResponse> {
      const loaded = await load(request);
      if (!loaded) return expired();
      return proceed(loaded.pending, loaded.client, request, request.cookies?.[SESSION_COOKIE]);
    },

    async login(request: EngineRequest): Promise<EngineResponse> {
      const loaded = await load(request);
      if (!loaded) return expired();
      const { pending, client } = loaded;
      if (!ctx.pending.checkCsrf(pending, request.params.get('csrf'))) {
        return ctx.views.error('Request refused', 'The form was not sent from this sign-in page (CSRF check failed). Go back and try again.', 403);
      }
      const username = (request.params.get('username') ?? '').trim();
      const password = request.params.get('password') ?? '';
      const again = (error: string, status: number) => signInPage(pending, client, request, { username, error, status });
      const result = await passwordSignIn(ctx, request, username, password, {
        next: `${ctx.issuer}/interaction/${pending.id}`,
        browser: request.cookies![BROWSER_COOKIE]!,
        client,
        formActions: clientOrigin(pending),
        wantMfa: wantsMfa(pending.request),
      });
      if (!result.ok) return again(result.message, result.status);
      pending.userId = result.user.id;
      await ctx.pending.save(pending);
      if ('secondStep' in result) return { status: 303, headers: { Location: result.secondStep, 'Cache-Control': 'no-store' } };
      const { cookie } = result;
      const response = await proceed(pending, client, request, cookie);
      response.setCookies = [...(response.setCookies ?? []), { name: SESSION_COOKIE, value: cookie, maxAge: SESSION_TTL }];
      return response;
    },

    /** Passwordless: a passkey's signature names the user; a session starts, and the flow goes on. */
    async passkey(request: EngineRequest): Promise<EngineResponse> {
      const loaded = await load(request);
      if (!loaded) return expired();
      const { pending, client } = loaded;
      if (!ctx.pending.checkCsrf(pending, request.params.get('csrf'))) {
        return ctx.views.error('Request refused', 'The form was not sent from this sign-in page (CSRF check failed). Go back and try again.', 403);
      }
      const result = await passkeySignIn(ctx, request, request.cookies![BROWSER_COOKIE]!, client.clientId);
      if (!result.ok) return signInPage(pending, client, request, { error: result.message, status: result.status });
      pending.userId = result.user.id;
      await ctx.pending.save(pending);
      // The browser's earlier session (one factor, or someone else's) gives way to this one.
      await ctx.sessions.destroy(request.cookies?.[SESSION_COOKIE]);
      const response = await proceed(pending, client, request, result.cookie);
      response.setCookies = [...(response.setCookies ?? []), { name: SESSION_COOKIE, value: result.cookie, maxAge: SESSION_TTL }];
      return response;
    },

    async consent(request: EngineRequest): Promise<EngineResponse> {
      const loaded = await load(request);
      if (!loaded) return expired();
      const { pending, client } = loaded;
      if (!ctx.pending.checkCsrf(pending, request.params.get('csrf'))) {
        return ctx.views.error('Request refused', 'The form was not sent from this consent page (CSRF check failed). Go back and try again.', 403);
      }
      const session = await ctx.sessions.find(request.cookies?.[SESSION_COOKIE]);
      const user = session ? await ctx.store.getUser(session.userId) : undefined;
      if (!session || !user || !user.active) return proceed(pending, client, request, undefined);
      const decision = request.params.get('decision');
      // What the user may delegate now: a scope beyond their roles is neither consented to nor granted.
      const scopes = await delegableByUser(ctx.store, user, pending.request.api, pending.request.scopes);
      const target = { redirectTarget: { redirectUri: pending.request.redirectUri, responseMode: pending.request.responseMode }, request: pending.request };
      const consentEvent = {
        type: 'consent.granted',
        actor: { type: 'user', id: user.id },
        subject: user.id,
        clientId: client.clientId,
        scopes,
        ...requestOrigin(request),
      } as const;
      if (decision === 'deny') {
        ctx.audit.record({ ...consentEvent, outcome: 'failure', reason: 'access_denied: the user denied access' });
        await ctx.pending.finish(pending);
        if (pending.device)
          return finishDeviceAuthorization(ctx, { ...pending, device: pending.device }, client, user, session, 'deny', requestOrigin(request));
        return authorizationErrorResponse(ctx, target, accessDenied('the user denied access'));
      }
      if (decision !== 'allow') return ctx.views.error('Request refused', 'Choose Allow or Deny.', 400);
      const now = ctx.clock.now();
      const existing = await ctx.store.getConsent(user.id, client.clientId);
      await ctx.store.upsertConsent({
        userId: user.id,
        clientId: client.clientId,
        scopes: [...new Set([...(existing?.scopes ?? []), ...scopes])],
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      });
      ctx.audit.record({ ...consentEvent, outcome: 'success' });
      await ctx.pending.finish(pending);
      if (pending.device) return finishDeviceAuthorization(ctx, { ...pending, device: pending.device }, client, user, session, 'allow', requestOrigin(request));
      return completeAuthorization(ctx, pending.request, user, session, requestOrigin(request));
    },
  };
}

const OIDC_DESCRIPTIONS: Record<string, string> = {
  openid: 'Sign you in with your Tessera account',
  profile: 'See your username and name',
  email: 'See your email address',
  offline_access: 'Keep access while you are away',
};
