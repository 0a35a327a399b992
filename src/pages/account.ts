/**
 * The account page (/account): one page, a section per thing a person manages
 * themselves: the apps they let in, their tokens, their password, where they are
 * signed in. Plain forms (no script), each with the session's CSRF token; every
 * change answers with this page again, carrying a notice in the section concerned.
 */
import { PASSKEY_STYLE } from './passkey-forms.js';
import type { AccountSection, AccountView } from '../core/ports/views.js';
import type { EngineResponse } from '../core/request.js';
import { html, type Html } from './html.js';
import { page } from './layout.js';
import { identitiesSection } from './account-identities.js';
import { securitySection } from './account-security.js';
import { QR_STYLE } from './second-factor.js';

const STYLE = `
body { place-items: start center; grid-template-columns: minmax(0, 1fr); }
main.wide { min-width: 0; width: min(62rem, 100% - 1.5rem); margin: 1.5rem 0; padding: 1.5rem clamp(1rem, 3vw, 2rem); }
header.account { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: baseline; justify-content: space-between; }
nav.sections ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; padding: 0; margin: 0 0 1rem; }
section { border-top: 1px solid color-mix(in srgb, CanvasText 15%, transparent); padding-top: 1rem; margin-top: 1.5rem; }
h2 { font-size: 1.15rem; margin: 0 0 .75rem; }
h3 { font-size: 1rem; margin: 1.25rem 0 .5rem; }
a { color: var(--accent); }
.table { overflow-x: auto; margin: 0 0 1rem; position: relative; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid color-mix(in srgb, CanvasText 12%, transparent); vertical-align: top; overflow-wrap: anywhere; }
th { font-weight: 600; white-space: nowrap; }
td form { margin: 0; }
button.small { padding: .3rem .7rem; font-size: .9rem; white-space: nowrap; }
button.danger { border-color: var(--danger); color: var(--danger); background: transparent; }
.notice { padding: .6rem .8rem; border-radius: 8px; margin: 0 0 1rem; }
.notice.success { border-left: 4px solid #2e7d32; background: color-mix(in srgb, #2e7d32 10%, transparent); }
.notice.error { border-left: 4px solid var(--danger); background: color-mix(in srgb, var(--danger) 10%, transparent); }
.secret input { font-family: ui-monospace, monospace; }
.empty { color: var(--muted); font-style: italic; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
fieldset { border: 1px solid color-mix(in srgb, CanvasText 20%, transparent); border-radius: 8px; margin: 0 0 1rem; padding: .5rem 1rem; }
legend { font-weight: 600; padding: 0 .25rem; overflow-wrap: anywhere; }
fieldset, .grid > div { min-width: 0; }
label.check { font-weight: normal; display: flex; gap: .5rem; align-items: baseline; margin: .25rem 0; }
select, textarea, input[type=number] { font: inherit; padding: .5rem .6rem; border: 1px solid #888; border-radius: 8px; background: Field; color: FieldText; margin: 0 0 1rem; }
textarea { width: 100%; min-height: 5rem; font-family: ui-monospace, monospace; }
.grid { display: grid; gap: 0 1.5rem; grid-template-columns: repeat(auto-fit, minmax(min(100%, 18rem), 1fr)); }
.actions.left { justify-content: flex-start; }
.tag { font-size: .8rem; padding: .1rem .45rem; border-radius: 999px; border: 1px solid var(--accent); color: var(--accent); white-space: nowrap; }
`;

/** "Firefox on Linux" from a User-Agent header: enough to recognise a device. */
export function deviceName(userAgent: string | undefined): string {
  if (!userAgent) return 'Unknown device';
  const browser = [
    [/Edg\//, 'Edge'],
    [/OPR\//, 'Opera'],
    [/Firefox\//, 'Firefox'],
    [/(Headless)?Chrom(e|ium)\//, 'Chrome'],
    [/Safari\//, 'Safari'],
    [/^curl\//, 'curl'],
  ] as const;
  const system = [
    [/iPhone|iPad/, 'iOS'],
    [/Android/, 'Android'],
    [/Windows/, 'Windows'],
    [/Mac OS X|Macintosh/, 'macOS'],
    [/CrOS/, 'ChromeOS'],
    [/Linux/, 'Linux'],
  ] as const;
  const b = browser.find(([re]) => re.test(userAgent))?.[1];
  const s = system.find(([re]) => re.test(userAgent))?.[1];
  return b && s ? `${b} on ${s}` : (b ?? s ?? userAgent.slice(0, 60));
}

const date = (seconds: number | undefined): Html | string => {
  if (seconds === undefined) return '—';
  const iso = new Date(seconds * 1000).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
};

export function accountPage(view: AccountView): EngineResponse {
  const notice = (section: AccountSection) =>
    view.notice?.section === section
      ? html`<p class="notice ${view.notice.kind}" role="${view.notice.kind === 'error' ? 'alert' : 'status'}">${view.notice.text}</p>`
      : '';
  const hidden = html`<input type="hidden" name="csrf" value="${view.csrf}">`;
  const body = html`<header class="account">
  <h1>Your account</h1>
  <form method="post" action="${view.issuer}/logout">
    <input type="hidden" name="xsrf" value="${view.csrf}">
    <span class="muted">Signed in as <strong>${view.name ?? view.username}</strong> (${view.username})</span>
    <button type="submit" name="logout" value="yes" class="small secondary">Sign out</button>
  </form>
</header>
<nav class="sections" aria-label="Sections">
  <ul><li><a href="#apps">Connected apps</a></li><li><a href="#tokens">Tokens</a></li><li><a href="#password">Password</a></li><li><a href="#security">Second factor</a></li><li><a href="#sessions">Sessions</a></li>${view.identities ? html`<li><a href="#identities">Sign-in methods</a></li>` : ''}</ul>
</nav>
${appsSection(view, notice('apps'), hidden)}
${tokensSection(view, notice('tokens'), hidden)}
${passwordSection(view, notice('password'), hidden)}
${securitySection(view, notice('security'), hidden)}
${sessionsSection(view, notice('sessions'), hidden)}
${view.identities ? identitiesSection({ base: view.base, ...view.identities }, notice('identities'), hidden) : ''}`;
  const enrolment = view.security.passkeyEnrolment;
  return page(body, {
    title: 'Your account',
    wide: true,
    style: STYLE + QR_STYLE + PASSKEY_STYLE,
    ...(enrolment ? { scriptSrc: enrolment.script } : {}),
    ...(view.status ? { status: view.status } : {}),
  });
}

function appsSection(view: AccountView, notice: Html | string, csrf: Html): Html {
  return html`<section id="apps" aria-labelledby="apps-title">
<h2 id="apps-title">Connected apps</h2>
${notice}
${
  view.apps.length === 0
    ? html`<p class="empty">You have not allowed any app to act for you.</p>`
    : html`<p class="muted">Apps you allowed to act for you. Revoking access ends the tokens an app holds for you at once; it will have to ask again.</p>
<div class="table" role="region" aria-labelledby="apps-title" tabindex="0"><table>
<thead><tr><th scope="col">App</th><th scope="col">Allowed to</th><th scope="col">Since</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
<tbody>
${view.apps.map(
  (
    app,
  ) => html`<tr><td><strong>${app.name}</strong><br><code>${app.clientId}</code></td><td>${app.scopes.map((s) => html`<code>${s}</code> `)}</td><td>${date(app.grantedAt)}</td>
<td><form method="post" action="${view.base}/revoke-app">${csrf}<input type="hidden" name="client_id" value="${app.clientId}">
<button type="submit" class="small danger" aria-label="Revoke access of ${app.name}">Revoke access</button></form></td></tr>`,
)}
</tbody></table></div>`
}
</section>`;
}

function tokensSection(view: AccountView, notice: Html | string, csrf: Html): Html {
  const form = view.form ?? {};
  const created = view.created
    ? html`<div class="notice success secret" role="status">
<p><strong>${view.created.name}</strong> was created. Copy it now: it will not be shown again.</p>
<label for="new-secret">Your new token</label>
<input type="text" id="new-secret" readonly value="${view.created.secret}" autofocus spellcheck="false" autocomplete="off">
<p class="muted">Send it as <code>${view.created.usage}</code>.</p>
</div>`
    : '';
  const list =
    view.tokens.length === 0
      ? html`<p class="empty">You have no active tokens.</p>`
      : html`<div class="table" role="region" aria-labelledby="tokens-title" tabindex="0"><table>
<thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Access</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
<tbody>
${view.tokens.map(
  (
    t,
  ) => html`<tr><td>${t.name}</td><td>${t.kindLabel}</td><td>${t.access}</td><td>${date(t.createdAt)}</td><td>${t.expiresAt === undefined ? 'never' : date(t.expiresAt)}</td><td>${t.lastUsedAt === undefined ? 'never' : date(t.lastUsedAt)}</td>
<td><form method="post" action="${view.base}/revoke-token">${csrf}<input type="hidden" name="id" value="${t.id}">
<button type="submit" class="small danger" aria-label="Revoke ${t.name}">Revoke</button></form></td></tr>`,
)}
</tbody></table></div>`;
  const patForm =
    view.patApis.length === 0
      ? html`<p class="empty">Your roles give you no access to any API, so a personal access token could do nothing. Ask an administrator for a role.</p>`
      : html`<form method="post" action="${view.base}/create-pat">${csrf}
<label for="pat-name">Name</label>
<input type="text" id="pat-name" name="name" maxlength="100" required value="${form.scopes ? (form.name ?? '') : ''}" placeholder="e.g. laptop script">
${view.patApis.map(
  (api, i) => html`<fieldset><legend>${api.name} <code>${api.identifier}</code></legend>
${api.scopes.map(
  (s, j) =>
    html`<label class="check" for="scope-${i}-${j}"><input type="checkbox" id="scope-${i}-${j}" name="scope" value="${api.identifier} ${s.name}"${form.scopes?.includes(`${api.identifier} ${s.name}`) ? html` checked` : ''}> <span><code>${s.name}</code>${s.description ? ` — ${s.description}` : ''}</span></label>`,
)}
</fieldset>`,
)}
<label for="pat-expiry">Expires after</label>
<select id="pat-expiry" name="expires_in">
${view.expiry.map((e) => html`<option value="${e.seconds}"${e.seconds === (form.expiresIn ?? view.defaultExpiry) ? html` selected` : ''}>${e.label}</option>`)}
</select>
<label for="pat-dpop-jkt">Bind to a key (optional)</label>
<input type="text" id="pat-dpop-jkt" name="dpop_jkt" maxlength="43" autocomplete="off" spellcheck="false" value="${form.scopes ? (form.dpopJkt ?? '') : ''}" placeholder="JWK thumbprint (RFC 7638), 43 characters" aria-describedby="pat-dpop-jkt-hint">
<p class="muted" id="pat-dpop-jkt-hint">With a key's thumbprint, the token works only with DPoP proofs signed by that key (RFC 9449): a copy of the token alone is useless.</p>
<p class="muted">A token is for one API: choose scopes of one API only.</p>
<div class="actions left"><button type="submit" class="primary">Create personal access token</button></div>
</form>`;
  return html`<section id="tokens" aria-labelledby="tokens-title">
<h2 id="tokens-title">Tokens</h2>
${notice}
${created}
<p class="muted">Tokens let your scripts call APIs as you. Only you see this list; the tokens themselves are never shown again after creation.</p>
${list}
<div class="grid">
<div>
<h3>New personal access token</h3>
${patForm}
</div>
<div>
<h3>New action token</h3>
<form method="post" action="${view.base}/create-action-token">${csrf}
<label for="action-name">Name</label>
<input type="text" id="action-name" name="name" maxlength="100" required value="${form.endpoints !== undefined ? (form.name ?? '') : ''}" placeholder="e.g. calendar feed">
<label for="action-endpoints">Endpoints, one per line</label>
<textarea id="action-endpoints" name="endpoints" required aria-describedby="endpoints-help" placeholder="GET /calendars/*/events">${form.endpoints ?? ''}</textarea>
<p class="muted" id="endpoints-help">A method and a path; <code>*</code> matches one path segment. The token can call only these, with your access.</p>
<div class="actions left"><button type="submit" class="primary">Create action token</button></div>
</form>
<h3>User token</h3>
<form method="post" action="${view.base}/create-user-token">${csrf}
<p class="muted">${view.hasUserToken ? 'You have a user token. A new one replaces it: the old one stops working.' : 'One key with all of your access, sent as "Token <key>".'}</p>
<div class="actions left"><button type="submit" class="${view.hasUserToken ? 'secondary' : 'primary'}">${view.hasUserToken ? 'Replace user token' : 'Create user token'}</button></div>
</form>
</div>
</div>
</section>`;
}

function passwordSection(view: AccountView, notice: Html | string, csrf: Html): Html {
  return html`<section id="password" aria-labelledby="password-title">
<h2 id="password-title">Password</h2>
${notice}
${view.email ? emailLine(view.email, view.base, csrf) : ''}
${
  view.hasPassword
    ? html`<form method="post" action="${view.base}/change-password">${csrf}
<input type="text" name="username" value="${view.username}" autocomplete="username" hidden>
<div class="grid">
<div><label for="current-password">Current password</label>
<input type="password" id="current-password" name="current_password" autocomplete="current-password" required></div>
<div><label for="new-password">New password</label>
<input type="password" id="new-password" name="new_password" autocomplete="new-password" minlength="8" maxlength="1024" required aria-describedby="password-help">
<label for="confirm-password">New password, again</label>
<input type="password" id="confirm-password" name="confirm_password" autocomplete="new-password" minlength="8" maxlength="1024" required></div>
</div>
<p class="muted" id="password-help">At least 8 characters.</p>
<label class="check" for="end-others"><input type="checkbox" id="end-others" name="end_other_sessions" value="yes" checked> Sign out my other sessions</label>
<div class="actions left"><button type="submit" class="primary">Change password</button></div>
</form>`
    : html`<p class="empty">Your account has no password (you sign in another way). An administrator can set one.</p>`
}
</section>`;
}

function sessionsSection(view: AccountView, notice: Html | string, csrf: Html): Html {
  const others = view.sessions.filter((s) => !s.current).length;
  return html`<section id="sessions" aria-labelledby="sessions-title">
<h2 id="sessions-title">Sessions</h2>
${notice}
<p class="muted">Where you are signed in to Tessera. Signing a session out does not take access away from apps; revoke that under Connected apps.</p>
<div class="table" role="region" aria-labelledby="sessions-title" tabindex="0"><table>
<thead><tr><th scope="col">Device</th><th scope="col">Address</th><th scope="col">Signed in</th><th scope="col">Last active</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
<tbody>
${view.sessions.map(
  (
    s,
  ) => html`<tr${s.current ? html` aria-current="true"` : ''}><td>${deviceName(s.userAgent)} ${s.current ? html`<span class="tag">This browser</span>` : ''}</td><td>${s.ip ?? '—'}</td><td>${date(s.createdAt)}</td><td>${date(s.lastSeenAt)}</td>
<td>${
    s.current
      ? ''
      : html`<form method="post" action="${view.base}/end-session">${csrf}<input type="hidden" name="id" value="${s.id}"><button type="submit" class="small danger" aria-label="Sign out ${deviceName(s.userAgent)}, signed in ${new Date(s.createdAt * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC">Sign out</button></form>`
  }</td></tr>`,
)}
</tbody></table></div>
${
  others > 0
    ? html`<form method="post" action="${view.base}/end-other-sessions">${csrf}<div class="actions left"><button type="submit" class="danger">Sign out all other sessions (${others})</button></div></form>`
    : html`<p class="empty">You are not signed in anywhere else.</p>`
}
</section>`;
}

function emailLine(email: NonNullable<AccountView['email']>, base: string, csrf: Html): Html {
  return html`<form method="post" action="${base}/resend-verification" class="email-line">${csrf}
<p>Email: <strong>${email.address}</strong> ${email.verified ? '(confirmed)' : html`(not confirmed)${email.resend ? html` <button type="submit" class="small secondary">Send the confirmation link again</button>` : ''}`}</p>
</form>`;
}
