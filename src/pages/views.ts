/**
 * The pages of the sign-in flow. Each takes a plain view model and returns a
 * response; the engine decides what to show, these only decide how.
 */
import type { ConsentView, LogoutConfirmView, SignInView } from '../core/ports/views.js';
import type { EngineResponse } from '../core/request.js';
import { appName } from './app-name.js';
import { html } from './html.js';
import { page } from './layout.js';
import { PASSKEY_STYLE, passkeyForm } from './passkey-forms.js';
import { signInLinks } from './sign-in-links.js';
import { UPSTREAM_STYLE, upstreamButtons } from './upstream.js';

export function signInPage(view: SignInView): EngineResponse {
  return page(
    html`<h1>Sign in</h1>
<p>to continue to <strong>${appName(view.clientName)}</strong></p>
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
<form method="post" action="${view.action}">
  <input type="hidden" name="csrf" value="${view.csrf}">
  <label for="username">Username</label>
  <input type="text" id="username" name="username" value="${view.username ?? ''}" autocomplete="${view.passkey ? 'username webauthn' : 'username'}" autocapitalize="none" spellcheck="false" required ${view.username ? '' : 'autofocus'}>
  <label for="password">Password</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required ${view.username ? 'autofocus' : ''}>
  <div class="actions"><button type="submit" class="primary">Sign in</button></div>
</form>
${view.passkey ? html`<p class="or">or sign in with a passkey</p>${passkeyForm(view.passkey, { action: view.passkey.action, csrf: view.csrf, ceremony: 'get', label: 'Use a passkey', conditional: true })}` : ''}
${signInLinks(view.links ?? {})}
${upstreamButtons(view.providers)}`,
    {
      title: 'Sign in',
      formActions: view.formActions,
      ...(view.status ? { status: view.status } : {}),
      ...(view.providers?.length || view.passkey ? { style: `${view.providers?.length ? UPSTREAM_STYLE : ''}${view.passkey ? PASSKEY_STYLE : ''}` } : {}),
      ...(view.passkey ? { scriptSrc: view.passkey.script } : {}),
    },
  );
}

export function consentPage(view: ConsentView): EngineResponse {
  return page(
    html`<h1>Allow access?</h1>
${view.device ? html`<p class="error" role="alert">A device is asking to connect to your account. Allow it only if you started this yourself and the device in front of you shows the code you typed; if someone sent you here, choose Deny.</p>` : ''}
<p><strong>${appName(view.clientName)}</strong> wants to act for you, <strong>${view.username}</strong>${view.apiName ? html` on <strong>${view.apiName}</strong>` : ''}. It asks to:</p>
${
  view.unverified
    ? html`<p class="error" role="note" id="unverified"><strong>Unverified application.</strong> Nobody here has checked it: "${appName(view.clientName)}" is only the name it gives itself${view.unverified.clientId ? html`, at <code>${view.unverified.clientId}</code>` : ''}. If you allow, you go back to <strong>${view.unverified.redirectHost}</strong>. Allow only if you started this and recognise that address.</p>`
    : ''
}
<ul class="scopes">
${view.scopes.map((s) => html`<li><code>${s.name}</code>${s.description ? html` — ${s.description}` : ''}</li>`)}
</ul>
<p class="muted">You can revoke this access at any time.</p>
<form method="post" action="${view.action}">
  <input type="hidden" name="csrf" value="${view.csrf}">
  <div class="actions">
    <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
    <button type="submit" name="decision" value="allow" class="primary">Allow</button>
  </div>
</form>`,
    { title: 'Allow access', formActions: view.formActions },
  );
}

export function errorPage(title: string, message: string, status: number): EngineResponse {
  return page(html`<h1>${title}</h1><p class="error" role="alert">${message}</p>`, { title, status });
}

/** response_mode=form_post (OAuth 2.0 Form Post Response Mode): auto-submitting form. */
export function formPostPage(action: string, fields: Record<string, string>): EngineResponse {
  return page(
    html`<h1>Continuing…</h1>
<form method="post" action="${action}" id="response">
${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<noscript><p>JavaScript is off: press the button to continue.</p><div class="actions"><button type="submit" class="primary">Continue</button></div></noscript>
</form>`,
    { title: 'Continuing', formActions: [new URL(action).origin], script: "document.getElementById('response').submit();" },
  );
}

export function logoutConfirmPage(view: LogoutConfirmView): EngineResponse {
  return page(
    html`<h1>Sign out?</h1>
<p>Do you want to sign out of Tessera?</p>
<form method="post" action="${view.action}">
  <input type="hidden" name="xsrf" value="${view.xsrf}">
  ${Object.entries(view.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
  <div class="actions">
    <button type="submit" name="logout" value="no" class="secondary">Stay signed in</button>
    <button type="submit" name="logout" value="yes" class="primary" autofocus>Sign out</button>
  </div>
</form>`,
    { title: 'Sign out', formActions: view.formActions },
  );
}

export function signedOutPage(): EngineResponse {
  return page(html`<h1>Signed out</h1><p>You have signed out. You can close this window.</p>`, { title: 'Signed out' });
}
