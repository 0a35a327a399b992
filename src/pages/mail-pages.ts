/**
 * The pages of the account life cycle by mail: asking for a reset link, choosing a
 * password through a link (reset, invitation), confirming an address, signing up,
 * and the short answers in between. View models in, responses out.
 */
import type { EngineResponse } from '../core/request.js';
import { html, type Html } from './html.js';
import { page } from './layout.js';

interface FormView {
  action: string;
  csrf: string;
  error?: string;
  status?: number;
}

const alert = (error: string | undefined) => (error ? html`<p class="error" role="alert">${error}</p>` : '');
const hidden = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;
const options = (view: FormView, title: string) => ({ title, ...(view.status ? { status: view.status } : {}) });

export function forgotPasswordPage(view: FormView & { identifier?: string; signIn?: string }): EngineResponse {
  return page(
    html`<h1>Forgot your password?</h1>
<p>Enter your username or email address. If it belongs to an account, we send a link to choose a new password to the account's email address.</p>
${alert(view.error)}
<form method="post" action="${view.action}">
  ${hidden(view.csrf)}
  <label for="identifier">Username or email address</label>
  <input type="text" id="identifier" name="identifier" value="${view.identifier ?? ''}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus>
  <div class="actions"><button type="submit" class="primary">Send the link</button></div>
</form>`,
    options(view, 'Forgot your password'),
  );
}

export function newPasswordPage(view: FormView & { title: string; intro: Html | string; username: string; submit: string }): EngineResponse {
  return page(
    html`<h1>${view.title}</h1>
<p>${view.intro}</p>
${alert(view.error)}
<form method="post" action="${view.action}">
  ${hidden(view.csrf)}
  <input type="text" name="username" value="${view.username}" autocomplete="username" hidden readonly>
  <label for="password">New password</label>
  <input type="password" id="password" name="password" autocomplete="new-password" minlength="8" required autofocus>
  <label for="confirm_password">New password, again</label>
  <input type="password" id="confirm_password" name="confirm_password" autocomplete="new-password" minlength="8" required>
  <div class="actions"><button type="submit" class="primary">${view.submit}</button></div>
</form>`,
    options(view, view.title),
  );
}

export function confirmEmailPage(view: FormView & { email: string }): EngineResponse {
  return page(
    html`<h1>Confirm your email address</h1>
<p>Confirm that <strong>${view.email}</strong> is your email address.</p>
<form method="post" action="${view.action}">
  ${hidden(view.csrf)}
  <div class="actions"><button type="submit" class="primary">Confirm</button></div>
</form>`,
    options(view, 'Confirm your email address'),
  );
}

export function signUpPage(view: FormView & { email?: string; name?: string; domains: string[]; signIn?: string }): EngineResponse {
  return page(
    html`<h1>Create an account</h1>
${view.domains.length > 0 ? html`<p class="muted">Open to email addresses at ${view.domains.join(', ')}.</p>` : ''}
${alert(view.error)}
<form method="post" action="${view.action}">
  ${hidden(view.csrf)}
  <label for="email">Email address</label>
  <input type="text" inputmode="email" id="email" name="email" value="${view.email ?? ''}" autocomplete="email" autocapitalize="none" spellcheck="false" required autofocus>
  <label for="name">Name (optional)</label>
  <input type="text" id="name" name="name" value="${view.name ?? ''}" autocomplete="name">
  <label for="password">Password</label>
  <input type="password" id="password" name="password" autocomplete="new-password" minlength="8" required>
  <label for="confirm_password">Password, again</label>
  <input type="password" id="confirm_password" name="confirm_password" autocomplete="new-password" minlength="8" required>
  <div class="actions"><button type="submit" class="primary">Create the account</button></div>
</form>`,
    options(view, 'Create an account'),
  );
}

/** A short answer: what happened and, optionally, where to go next. */
export function messagePage(title: string, text: string, next?: { href: string; label: string }, status = 200): EngineResponse {
  return page(html`<h1>${title}</h1><p>${text}</p>${next ? html`<p><a href="${next.href}">${next.label}</a></p>` : ''}`, { title, status });
}
