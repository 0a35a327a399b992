/**
 * GET/POST /email/verify/:token   confirm an address (a button, so that mail scanners
 *                                 fetching the link do not use it up)
 * GET/POST /invitation/:token     accept an invitation by choosing a password
 * GET/POST /sign-up               create an account (only when sign-up is on)
 */
import type { AuthorizationServer } from '../core/authorization-server.js';
import type { AccountMail } from '../core/mail/account-mail.js';
import type { EngineRequest, EngineResponse } from '../core/request.js';
import { confirmEmailPage, messagePage, signUpPage } from '../pages/mail-pages.js';
import { invalidLink, refused, type BrowserForms } from './browser-form.js';
import { choosePassword, signedInAt } from './password-reset-pages.js';

export function mailFlowPages(engine: AuthorizationServer, mail: AccountMail, forms: BrowserForms) {
  const account = { href: `${engine.issuer}/account`, label: 'Go to your account' };
  return {
    async verify(request: EngineRequest): Promise<EngineResponse> {
      const token = request.pathParams?.token;
      if (request.method === 'GET') {
        const user = await mail.verification.check(token);
        if (!user?.email) return invalidLink();
        const form = forms.open(request, 'verify');
        return form.send(confirmEmailPage({ action: `${engine.issuer}/email/verify/${token}`, csrf: form.csrf, email: user.email }));
      }
      if (!forms.check(request, 'verify')) return refused();
      const result = await mail.verification.complete(token, request);
      if (!result.ok) return invalidLink();
      if (result.cookie) return signedInAt(`${engine.issuer}/account`, result.cookie);
      return messagePage('Email address confirmed', `${result.user.email} is confirmed as your email address.`, account);
    },

    invitation: choosePassword(
      engine,
      forms,
      {
        purpose: 'invitation',
        path: 'invitation',
        title: 'Accept the invitation',
        intro: (u) => `Choose a password for your new account, ${u}.`,
        submit: 'Create my account',
      },
      (token) => mail.invitations.check(token),
      (token, password, confirm, request) => mail.invitations.accept(token, password, confirm, request),
    ),

    async signUp(request: EngineRequest): Promise<EngineResponse> {
      const action = `${engine.issuer}/sign-up`;
      const domains = mail.features.signUp.domains;
      if (request.method === 'GET') {
        const form = forms.open(request, 'sign-up');
        return form.send(signUpPage({ action, csrf: form.csrf, domains }));
      }
      const csrf = forms.check(request, 'sign-up');
      if (!csrf) return refused();
      const email = (request.params.get('email') ?? '').trim();
      const name = request.params.get('name') ?? '';
      const result = await mail.signUp.submit(
        { email, name, password: request.params.get('password') ?? '', confirm: request.params.get('confirm_password') },
        request,
      );
      if (!result.ok) return signUpPage({ action, csrf, domains, email, name, error: result.message, status: result.status });
      return messagePage('Check your mail', `We have sent a message to ${email}. Follow its link to finish creating your account.`);
    },
  };
}
