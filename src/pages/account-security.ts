/** The account page's security section: passkeys, the authenticator app (TOTP) and recovery codes. */
import type { AccountView } from '../core/ports/views.js';
import { html, type Html } from './html.js';
import { passkeyForm } from './passkey-forms.js';
import { codeInput, enrolmentBlock, recoveryCodeList } from './second-factor.js';

const day = (seconds: number | undefined) => (seconds === undefined ? 'never' : new Date(seconds * 1000).toISOString().slice(0, 10));

export function securitySection(view: AccountView, notice: Html | string, csrf: Html): Html {
  const { security } = view;
  const codes = security.newRecoveryCodes
    ? html`<div class="notice success" role="status">
<p><strong>Your recovery codes.</strong> Each signs you in once if you lose your authenticator app. Save them now: they will not be shown again, and any older codes no longer work.</p>
${recoveryCodeList(security.newRecoveryCodes)}
</div>`
    : '';
  const enrol = security.enrolment
    ? html`<h3>Set up an authenticator app</h3>
${enrolmentBlock(security.enrolment)}
<form method="post" action="${view.base}/confirm-totp">${csrf}
<input type="hidden" name="enrolment" value="${security.enrolment.sealed}">
${codeInput('totp-code', 'Then enter the 6-digit code the app shows')}
<div class="actions left"><button type="submit" class="primary">Confirm</button></div>
</form>`
    : '';
  const totps = security.factors.filter((f) => f.type === 'totp');
  const factors =
    totps.length === 0
      ? html`<p class="empty">No second factor: signing in asks for your password only.${security.required ? ' Your organisation asks you to set one up; you will be taken through it at your next sign-in.' : ''}</p>
${security.enrolment ? '' : html`<form method="post" action="${view.base}/start-totp">${csrf}<div class="actions left"><button type="submit" class="primary">Set up an authenticator app</button></div></form>`}`
      : html`<div class="table" role="region" aria-labelledby="security-title" tabindex="0"><table>
<thead><tr><th scope="col">Factor</th><th scope="col">Added</th><th scope="col">Last used</th><th scope="col">Remove (enter a code from it)</th></tr></thead>
<tbody>
${totps.map(
  (f) => html`<tr><td>${f.name}</td><td>${day(f.createdAt)}</td><td>${day(f.lastUsedAt)}</td>
<td><form method="post" action="${view.base}/remove-factor">${csrf}<input type="hidden" name="id" value="${f.id}">
<label class="visually-hidden" for="remove-${f.id}">Code to remove ${f.name}</label>
<input type="text" id="remove-${f.id}" name="code" autocomplete="one-time-code" inputmode="numeric" maxlength="20" required placeholder="code">
<button type="submit" class="small danger">Remove</button></form></td></tr>`,
)}
</tbody></table></div>
<h3>Recovery codes</h3>
<p>${security.recoveryCodes.total === 0 ? 'You have no recovery codes.' : `${security.recoveryCodes.remaining} of ${security.recoveryCodes.total} recovery codes left.`}</p>
<form method="post" action="${view.base}/regenerate-recovery-codes">${csrf}<div class="actions left"><button type="submit" class="secondary">Create new recovery codes</button></div></form>`;
  return html`<section id="security" aria-labelledby="security-title">
<h2 id="security-title">Second factor</h2>
${notice}
${codes}
${passkeysBlock(view, csrf)}
<h3>Authenticator app</h3>
<p class="muted">With a second factor, signing in asks for a code from an app on your phone after your password.</p>
${factors}
${enrol}
</section>`;
}

/** Passkeys: the list (remove), adding one (a name, then the browser's dialog), and removing the password once one exists. */
function passkeysBlock(view: AccountView, csrf: Html): Html {
  const { security } = view;
  const passkeys = security.factors.filter((f) => f.type === 'passkey');
  const last = passkeys.length === 1 && !view.hasPassword;
  const list =
    passkeys.length === 0
      ? html`<p class="empty">No passkeys yet. A passkey signs you in with your device’s screen lock or a security key, with no password to type.</p>`
      : html`<div class="table" role="region" aria-labelledby="passkeys-title" tabindex="0"><table id="passkeys">
<thead><tr><th scope="col">Passkey</th><th scope="col">Added</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Remove</span></th></tr></thead>
<tbody>
${passkeys.map(
  (p) => html`<tr><td>${p.name}</td><td>${day(p.createdAt)}</td><td>${day(p.lastUsedAt)}</td>
<td>${last ? html`<span class="muted">your only way to sign in</span>` : html`<form method="post" action="${view.base}/remove-passkey">${csrf}<input type="hidden" name="id" value="${p.id}"><button type="submit" class="small danger" aria-label="Remove ${p.name}">Remove</button></form>`}</td></tr>`,
)}
</tbody></table></div>`;
  const add = security.passkeyEnrolment
    ? html`<p>Now create the passkey <strong>${security.passkeyEnrolment.name}</strong>: your browser will ask you to confirm with your screen lock or security key.</p>
${passkeyForm(security.passkeyEnrolment, { action: `${view.base}/add-passkey`, csrf, ceremony: 'create', label: 'Create the passkey', fields: { name: security.passkeyEnrolment.name }, primary: true })}`
    : html`<form method="post" action="${view.base}/start-passkey">${csrf}
<label for="passkey-name">Name of a new passkey</label>
<input type="text" id="passkey-name" name="name" maxlength="60" required placeholder="e.g. work laptop">
${
  view.hasPassword
    ? html`<label for="passkey-password">Your current password, to confirm it is you</label>
<input type="password" id="passkey-password" name="current_password" autocomplete="current-password" required>`
    : ''
}
<div class="actions left"><button type="submit" class="secondary">Add a passkey</button></div></form>`;
  const password =
    passkeys.length > 0 && view.hasPassword
      ? html`<details><summary>Sign in with passkeys only</summary>
<p class="muted">Remove your password: from then on you sign in with a passkey, and a stolen or guessed password is worth nothing. Keep more than one passkey, or a way to reset by email.</p>
<form method="post" action="${view.base}/remove-password">${csrf}
<label for="remove-password-current">Current password</label>
<input type="password" id="remove-password-current" name="current_password" autocomplete="current-password" required>
<div class="actions left"><button type="submit" class="danger">Remove my password</button></div></form></details>`
      : passkeys.length > 0
        ? html`<p class="muted">Your account has no password: you sign in with a passkey.</p>`
        : '';
  return html`<h3 id="passkeys-title">Passkeys</h3>
${list}
${add}
${password}`;
}
