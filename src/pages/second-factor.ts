/**
 * The second step of a sign-in: a one-time code, or setting up an authenticator app
 * first (its QR code drawn here as inline SVG, no external service, and the
 * otpauth:// URI and the secret as text); and the page that shows recovery codes once.
 */
import { renderSVG } from 'uqr';
import type { SecondFactorView, SignInNoticeView } from '../core/ports/views.js';
import type { EngineResponse } from '../core/request.js';
import { html, Html } from './html.js';
import { page } from './layout.js';
import { PASSKEY_STYLE, passkeyForm } from './passkey-forms.js';

export const QR_STYLE = `
.qr { display: grid; place-items: center; margin: 0 0 1rem; }
.qr svg { width: min(13rem, 100%); height: auto; border-radius: 8px; }
.otpauth { font-family: ui-monospace, monospace; font-size: .8rem; overflow-wrap: anywhere; }
ol.codes { font-family: ui-monospace, monospace; font-size: 1.05rem; columns: 2; padding-left: 1.8rem; }
a.primary { display: inline-block; padding: .6rem 1.1rem; border-radius: 8px; background: var(--accent); color: #fff; text-decoration: none; }
input.code { font-family: ui-monospace, monospace; font-size: 1.2rem; letter-spacing: .15em; }
`;

/** The QR code of an otpauth:// URI, as inline SVG (only rectangles and a path: nothing for CSP to block). */
export function qrCode(uri: string, label: string): Html {
  const svg = renderSVG(uri, { ecc: 'M', border: 2, pixelSize: 8 }).replace('<svg ', `<svg role="img" aria-label="${label.replace(/[<>&"']/g, '')}" `);
  return new Html(`<div class="qr">${svg}</div>`);
}

/** What an authenticator app needs to be set up: the QR code, the URI and the secret to type. */
export function enrolmentBlock(enrolment: { uri: string; secret: string }): Html {
  return html`<p>Scan this code with an authenticator app (such as Aegis, Google Authenticator, 1Password or Microsoft Authenticator):</p>
${qrCode(enrolment.uri, 'QR code to set up an authenticator app')}
<details><summary>Cannot scan? Enter the key by hand</summary>
<p>Key: <code class="otpauth">${enrolment.secret}</code> (time-based, 6 digits, every 30 seconds)</p>
<p class="muted">Or open this link on the device: <code class="otpauth">${enrolment.uri}</code></p>
</details>`;
}

export function codeInput(id: string, label: string): Html {
  return html`<label for="${id}">${label}</label>
<input type="text" class="code" id="${id}" name="code" autocomplete="one-time-code" inputmode="numeric" autocapitalize="none" spellcheck="false" maxlength="20" required autofocus>`;
}

export function secondFactorPage(view: SecondFactorView): EngineResponse {
  const body = view.enrolment
    ? html`<h1>Set up a second factor</h1>
${view.reason ? html`<p>${view.reason}</p>` : ''}
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
${enrolmentBlock(view.enrolment)}
<form method="post" action="${view.action}">
  <input type="hidden" name="csrf" value="${view.csrf}">
  ${codeInput('code', 'Then enter the 6-digit code the app shows')}
  <div class="actions"><button type="submit" class="primary">Confirm and sign in</button></div>
</form>
${
  view.passkeyEnrolment
    ? html`<p class="or">or add a passkey instead</p>
${passkeyForm(view.passkeyEnrolment, { action: view.action, csrf: view.csrf, ceremony: 'create', label: 'Add a passkey', fields: { name: 'Passkey' } })}`
    : ''
}`
    : view.passkey
      ? html`<h1>Confirm it is you</h1>
<p>Signing in as <strong>${view.username}</strong>.</p>
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
${passkeyForm(view.passkey, { action: view.action, csrf: view.csrf, ceremony: 'get', label: 'Use a passkey', primary: true })}
${
  view.passkey.only
    ? ''
    : html`<p class="or">or</p>
<form method="post" action="${view.action}">
  <input type="hidden" name="csrf" value="${view.csrf}">
  ${codeInput('code', 'A code from your authenticator app, or a recovery code')}
  <div class="actions"><button type="submit" class="secondary">Continue with the code</button></div>
</form>`
}`
      : html`<h1>Enter your code</h1>
<p>Signing in as <strong>${view.username}</strong>.</p>
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
<form method="post" action="${view.action}">
  <input type="hidden" name="csrf" value="${view.csrf}">
  ${codeInput('code', 'The 6-digit code from your authenticator app')}
  <p class="muted">Lost your device? Enter one of your recovery codes instead.</p>
  <div class="actions"><button type="submit" class="primary">Continue</button></div>
</form>`;
  const title = view.enrolment ? 'Set up a second factor' : view.passkey ? 'Confirm it is you' : 'Enter your code';
  return page(body, {
    title,
    formActions: view.formActions,
    style: view.passkey || view.passkeyEnrolment ? QR_STYLE + PASSKEY_STYLE : QR_STYLE,
    ...(view.passkey || view.passkeyEnrolment ? { scriptSrc: (view.passkey ?? view.passkeyEnrolment)!.script } : {}),
    ...(view.status ? { status: view.status } : {}),
  });
}

export function recoveryCodeList(codes: string[]): Html {
  return html`<ol class="codes">${codes.map((c) => html`<li><code>${c}</code></li>`)}</ol>`;
}

export function signInNoticePage(view: SignInNoticeView): EngineResponse {
  return page(
    html`<h1>${view.title}</h1>
<p>${view.message}</p>
${view.codes ? recoveryCodeList(view.codes) : ''}
<div class="actions"><a href="${view.next}" class="primary" id="continue">Continue</a></div>`,
    { title: view.title, formActions: view.formActions, style: QR_STYLE },
  );
}
