/** The account page's security section: the authenticator app (TOTP) and recovery codes. */
import type { AccountView } from '../core/ports/views.js';
import { html, type Html } from './html.js';
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
  const factors =
    security.factors.length === 0
      ? html`<p class="empty">No second factor: signing in asks for your password only.${security.required ? ' Your organisation asks you to set one up; you will be taken through it at your next sign-in.' : ''}</p>
${security.enrolment ? '' : html`<form method="post" action="${view.base}/start-totp">${csrf}<div class="actions left"><button type="submit" class="primary">Set up an authenticator app</button></div></form>`}`
      : html`<div class="table" role="region" aria-labelledby="security-title" tabindex="0"><table>
<thead><tr><th scope="col">Factor</th><th scope="col">Added</th><th scope="col">Last used</th><th scope="col">Remove (enter a code from it)</th></tr></thead>
<tbody>
${security.factors.map(
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
<p class="muted">With a second factor, signing in asks for a code from an app on your phone after your password.</p>
${factors}
${enrol}
</section>`;
}
