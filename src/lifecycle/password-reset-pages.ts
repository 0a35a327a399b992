/**
 * GET/POST /password/forgot          ask for a reset link (same answer for every input)
 * GET/POST /password/reset/:token    choose the new password; ends signed in, on /account
 */
import type { AuthorizationServer } from '../core/authorization-server.js';
import type { AccountMail } from '../core/mail/account-mail.js';
import { SESSION_COOKIE, SESSION_TTL } from '../core/interaction/sessions.js';
import type { EngineRequest, EngineResponse } from '../core/request.js';
import { forgotPasswordPage, messagePage, newPasswordPage } from '../pages/mail-pages.js';
import { invalidLink, refused, type BrowserForms } from './browser-form.js';

export const signedInAt = (location: string, cookie: string): EngineResponse => ({
  status: 303,
  headers: { Location: location, 'Cache-Control': 'no-store' },
  setCookies: [{ name: SESSION_COOKIE, value: cookie, maxAge: SESSION_TTL }],
});

/** The form for a link that lets the person choose a password (reset, invitation), and its submission. */
export function choosePassword(
  engine: AuthorizationServer,
  forms: BrowserForms,
  flow: { purpose: string; path: string; title: string; intro: (username: string) => string; submit: string },
  check: (token: string | undefined) => Promise<{ username: string } | undefined>,
  complete: (
    token: string | undefined,
    password: string,
    confirm: string | undefined,
    request: EngineRequest,
  ) => ReturnType<AccountMail['passwordReset']['complete']>,
) {
  return async function handleChoosePassword(request: EngineRequest): Promise<EngineResponse> {
    const token = request.pathParams?.token;
    const action = `${engine.issuer}/${flow.path}/${token}`;
    const view = (csrf: string, username: string, error?: string) =>
      newPasswordPage({
        action,
        csrf,
        title: flow.title,
        intro: flow.intro(username),
        username,
        submit: flow.submit,
        ...(error ? { error, status: 400 } : {}),
      });
    if (request.method === 'GET') {
      const user = await check(token);
      if (!user) return invalidLink();
      const form = forms.open(request, flow.purpose);
      return form.send(view(form.csrf, user.username));
    }
    const csrf = forms.check(request, flow.purpose);
    if (!csrf) return refused();
    const result = await complete(token, request.params.get('password') ?? '', request.params.get('confirm_password'), request);
    // A user with a second factor signs in with it: the new password alone starts no session.
    if (result.ok)
      return result.cookie
        ? signedInAt(`${engine.issuer}/account`, result.cookie)
        : { status: 303, headers: { Location: `${engine.issuer}/account/sign-in`, 'Cache-Control': 'no-store' } };
    if (result.problem === 'invalid') return invalidLink();
    return view(csrf, (await check(token))?.username ?? '', `The password is not accepted: ${result.message}.`);
  };
}

export function passwordResetPages(engine: AuthorizationServer, mail: AccountMail, forms: BrowserForms) {
  const action = `${engine.issuer}/password/forgot`;
  return {
    async forgot(request: EngineRequest): Promise<EngineResponse> {
      if (request.method === 'GET') {
        const form = forms.open(request, 'forgot');
        return form.send(forgotPasswordPage({ action, csrf: form.csrf }));
      }
      const csrf = forms.check(request, 'forgot');
      if (!csrf) return refused();
      const identifier = (request.params.get('identifier') ?? '').trim();
      if (!identifier) return forgotPasswordPage({ action, csrf, error: 'Enter your username or email address.', status: 400 });
      const wait = await mail.passwordReset.request(identifier, request);
      if (wait > 0)
        return forgotPasswordPage({ action, csrf, identifier, error: `Too many requests. Try again in ${Math.ceil(wait / 60)} minute(s).`, status: 429 });
      return messagePage(
        'Check your mail',
        'If an account matches what you entered, we have sent a link to choose a new password to its email address. The link works for 30 minutes.',
        {
          href: `${engine.issuer}/account`,
          label: 'Back to sign-in',
        },
      );
    },

    reset: choosePassword(
      engine,
      forms,
      {
        purpose: 'reset',
        path: 'password/reset',
        title: 'Choose a new password',
        intro: (u) => `For the account ${u}. Every device signed in to it will be signed out.`,
        submit: 'Set the password',
      },
      (token) => mail.passwordReset.check(token),
      (token, password, confirm, request) => mail.passwordReset.complete(token, password, confirm, request),
    ),
  };
}
