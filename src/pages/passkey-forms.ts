/**
 * The forms that ask the browser for a passkey. Each is a plain form (CSRF token,
 * a hidden `credential` field) marked `data-passkey`; Tessera's script
 * (assets/passkey.js, the one script these pages load, allowed by CSP by its URL)
 * runs navigator.credentials with the options in `data-options`, puts the answer in
 * the field and submits. Without script or passkey support the form says so.
 */
import type { PasskeyPrompt } from '../core/ports/views.js';
import { html, type Html } from './html.js';

export const PASSKEY_STYLE = `
.passkey-status { min-height: 1.2em; }
.or { display: flex; align-items: center; gap: .75rem; color: var(--muted); font-size: .9rem; margin: 1.25rem 0 .25rem; }
.or::before, .or::after { content: ""; flex: 1; border-top: 1px solid color-mix(in srgb, CanvasText 20%, transparent); }
`;

interface PasskeyFormOptions {
  action: string;
  csrf: Html | string;
  /** navigator.credentials.create() (adding one) or .get() (signing with one). */
  ceremony: 'create' | 'get';
  label: string;
  /** Offer the user's passkeys as the username field autofills (conditional mediation), where the browser can. */
  conditional?: boolean;
  /** More hidden fields, e.g. the new passkey's name. */
  fields?: Record<string, string>;
  primary?: boolean;
}

export function passkeyForm(prompt: PasskeyPrompt, options: PasskeyFormOptions): Html {
  const csrf = typeof options.csrf === 'string' ? html`<input type="hidden" name="csrf" value="${options.csrf}">` : options.csrf;
  return html`<form method="post" action="${options.action}" class="passkey" data-passkey="${options.ceremony}" data-options="${prompt.options}"${options.conditional ? html` data-conditional="true"` : ''}>
${csrf}
${Object.entries(options.fields ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<input type="hidden" name="credential" value="">
<div class="actions"><button type="submit" class="${options.primary ? 'primary' : 'secondary'}" data-passkey-button>${options.label}</button></div>
<p class="passkey-status muted" role="status" aria-live="polite"></p>
<noscript><p class="muted">Passkeys need JavaScript, which is off in this browser.</p></noscript>
</form>`;
}
