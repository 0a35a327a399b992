/**
 * The second step of a sign-in (mfa/second-step.ts):
 *   GET  /mfa/:id   the code form, or setting up an authenticator app first
 *   POST /mfa/:id   code=... (six digits, or a recovery code), or credential=... (a passkey's
 *                   signature; when setting a factor up, a new passkey instead of an app)
 * On success a session starts with the methods used (amr) and the browser goes on;
 * a recovery code, or a first enrolment (with its recovery codes), shows a page first.
 */
import { requestOrigin } from '../audit/request-origin.js';
import type { FlowContext } from '../interaction/flow-context.js';
import { BROWSER_COOKIE } from '../interaction/pending-authorizations.js';
import { SESSION_COOKIE, SESSION_TTL } from '../interaction/sessions.js';
import type { SecondStep } from '../mfa/second-step.js';
import { PASSKEY_SCRIPT_PATH } from '../mfa/passkeys.js';
import type { User } from '../model.js';
import type { EngineRequest, EngineResponse } from '../request.js';

export function secondFactorEndpoints(ctx: FlowContext) {
  const expired = () => ctx.views.error('This sign-in has expired', 'Go back and sign in again.', 400);

  async function load(request: EngineRequest): Promise<{ step: SecondStep; user: User } | undefined> {
    const step = await ctx.secondSteps.find(request.pathParams?.id, request.cookies?.[BROWSER_COOKIE]);
    const user = step ? await ctx.store.getUser(step.userId) : undefined;
    return step && user?.active ? { step, user } : undefined;
  }

  /** The user's passkeys, when they have any: a request for one of them, bound to this step. */
  async function passkeyPrompt(step: SecondStep, user: User) {
    if (step.enrol) return undefined;
    const factors = await ctx.mfa.list(user.id);
    if (!factors.some((f) => f.type === 'passkey')) return undefined;
    const codes = factors.some((f) => f.type === 'totp') || (await ctx.mfa.recoveryCodes(user.id)).remaining > 0;
    return { options: await ctx.passkeys.authenticationOptions('second-factor', step.id, user), script: `${ctx.issuer}${PASSKEY_SCRIPT_PATH}`, only: !codes };
  }

  async function form(step: SecondStep, user: User, extra: { error?: string; status?: number } = {}): Promise<EngineResponse> {
    const enrolment = step.enrol ? ctx.mfa.resumeTotp(user, step.enrol) : undefined;
    if (step.enrol && !enrolment) return expired();
    const passkey = await passkeyPrompt(step, user);
    const script = `${ctx.issuer}${PASSKEY_SCRIPT_PATH}`;
    const passkeyEnrolment = step.enrol ? { options: await ctx.passkeys.registrationOptions(user, `step:${step.id}`), script } : undefined;
    return ctx.views.secondFactor({
      ...(passkey ? { passkey } : {}),
      ...(passkeyEnrolment ? { passkeyEnrolment } : {}),
      action: `${ctx.issuer}/mfa/${step.id}`,
      csrf: step.csrf,
      username: user.username,
      formActions: step.formActions,
      ...(enrolment ? { enrolment: { uri: enrolment.uri, secret: enrolment.secret } } : {}),
      ...(step.reason ? { reason: step.reason } : {}),
      ...extra,
    });
  }

  async function signIn(
    request: EngineRequest,
    step: SecondStep,
    user: User,
    method: string,
    notice?: { title: string; message: string; codes?: string[] },
    methods = ['otp'],
  ): Promise<EngineResponse> {
    const amr = [...new Set([...step.amr, ...methods, 'mfa'])];
    await ctx.secondSteps.finish(step);
    // The browser's earlier session (one factor, or someone else's) gives way to this one.
    await ctx.sessions.destroy(request.cookies?.[SESSION_COOKIE]);
    const userAgent = request.headers['user-agent'];
    const { cookie } = await ctx.sessions.create(user.id, { ...(userAgent ? { userAgent } : {}), ...(request.ip ? { ip: request.ip } : {}) }, amr);
    ctx.audit.record({
      type: 'signin.succeeded',
      outcome: 'success',
      actor: { type: 'user', id: user.id },
      subject: user.id,
      ...(step.clientId !== undefined ? { clientId: step.clientId } : {}),
      ...requestOrigin(request),
      details: { username: user.username, method, amr },
    });
    const response: EngineResponse = notice
      ? ctx.views.signInNotice({ ...notice, next: step.next, formActions: step.formActions })
      : { status: 303, headers: { Location: step.next, 'Cache-Control': 'no-store' } };
    response.setCookies = [...(response.setCookies ?? []), { name: SESSION_COOKIE, value: cookie, maxAge: SESSION_TTL }];
    return response;
  }

  return {
    async show(request: EngineRequest): Promise<EngineResponse> {
      const loaded = await load(request);
      return loaded ? form(loaded.step, loaded.user) : expired();
    },

    async submit(request: EngineRequest): Promise<EngineResponse> {
      const loaded = await load(request);
      if (!loaded) return expired();
      const { step, user } = loaded;
      if (!ctx.secondSteps.checkCsrf(step, request.params.get('csrf'))) {
        return ctx.views.error('Request refused', 'The form was not sent from this sign-in page (CSRF check failed). Go back and try again.', 403);
      }
      const origin = requestOrigin(request);
      const credential = request.params.get('credential');
      if (credential !== undefined && step.enrol) {
        const actor = { type: 'user', id: user.id } as const;
        const added = await ctx.passkeys.register(user, credential, request.params.get('name') ?? '', `step:${step.id}`, origin, actor);
        if (!added.ok) return form(step, user, { error: added.message, status: 400 });
        const codes = await ctx.mfa.regenerateRecoveryCodes(user.id, actor, origin);
        const key = added.passkey.deviceType === 'multiDevice' ? 'swk' : 'hwk';
        return signIn(
          request,
          step,
          user,
          'passkey_enrolment',
          {
            title: 'Save your recovery codes',
            message:
              'Your passkey is added. If you lose it, each of these codes signs you in once after your password. Keep them somewhere safe: they are shown only now.',
            codes,
          },
          [key, 'user'],
        );
      }
      if (credential !== undefined) {
        const checked = await ctx.passkeys.verify(credential, {
          purpose: 'second-factor',
          binding: step.id,
          user,
          origin,
          ...(step.clientId !== undefined ? { clientId: step.clientId } : {}),
        });
        if (!checked.ok) return form(step, user, { error: checked.message, status: checked.status });
        return signIn(
          request,
          step,
          user,
          'passkey',
          undefined,
          checked.amr.filter((m) => m !== 'mfa'),
        );
      }
      const code = (request.params.get('code') ?? '').trim();
      if (!code) return form(step, user, { error: 'Enter the code.', status: 400 });
      if (step.enrol) {
        const confirmed = await ctx.mfa.confirmTotp(user, step.enrol, code, origin, { type: 'user', id: user.id }, request.ip ?? 'unknown');
        if (!confirmed.ok) return confirmed.expired ? expired() : form(step, user, { error: confirmed.message, status: 400 });
        const codes = await ctx.mfa.regenerateRecoveryCodes(user.id, { type: 'user', id: user.id }, origin);
        return signIn(request, step, user, 'totp_enrolment', {
          title: 'Save your recovery codes',
          message:
            'Your authenticator app is set up. If you lose it, each of these codes signs you in once. Keep them somewhere safe: they are shown only now.',
          codes,
        });
      }
      const checked = await ctx.mfa.check(user, code, origin, step.clientId);
      if (!checked.ok) return form(step, user, { error: checked.message, status: checked.status });
      if (checked.method === 'recovery_code') {
        const message =
          checked.remaining === 0
            ? 'You used your last recovery code. Create new ones on your account page now, or you may be locked out.'
            : `You have ${checked.remaining} recovery code${checked.remaining === 1 ? '' : 's'} left. Create new ones on your account page if you are running out.`;
        return signIn(request, step, user, 'recovery_code', { title: 'Signed in with a recovery code', message });
      }
      return signIn(request, step, user, 'totp');
    },
  };
}
