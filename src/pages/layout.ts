/**
 * The frame of every page Tessera shows a person: self-contained HTML (no CDN, no
 * external asset), a strict Content-Security-Policy with a per-response nonce for the
 * one inline style (and script, where a page needs one), and no framing or caching.
 */
import { randomBytes } from 'node:crypto';
import type { EngineResponse } from '../core/request.js';
import { html, Html } from './html.js';

const STYLE = `
:root { color-scheme: light dark; --accent: #3457d5; --muted: #666; --danger: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; font: 16px/1.5 system-ui, sans-serif; background: Canvas; color: CanvasText; }
main { width: min(26rem, 100% - 2rem); padding: 2rem; border: 1px solid color-mix(in srgb, CanvasText 15%, transparent); border-radius: 12px; }
h1 { font-size: 1.35rem; margin: 0 0 1rem; }
p { margin: 0 0 1rem; }
label { display: block; font-weight: 600; margin: 0 0 .25rem; }
input[type=text], input[type=password] { width: 100%; padding: .6rem .7rem; margin: 0 0 1rem; font: inherit; border: 1px solid #888; border-radius: 8px; background: Field; color: FieldText; }
input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
button { font: inherit; padding: .6rem 1.1rem; border-radius: 8px; border: 1px solid var(--accent); cursor: pointer; }
button.primary { background: var(--accent); color: #fff; }
button.secondary { background: transparent; color: inherit; }
.actions { display: flex; gap: .75rem; justify-content: flex-end; margin-top: 1.25rem; }
.error { color: var(--danger); border-left: 4px solid var(--danger); padding-left: .75rem; }
.muted { color: var(--muted); font-size: .9rem; }
ul.scopes { padding-left: 1.2rem; }
ul.scopes li { margin: .35rem 0; }
code { font-size: .9em; }
.app-name { overflow-wrap: anywhere; }
`;

export interface PageOptions {
  title: string;
  status?: number;
  /** Origins a form on this page may submit (or be redirected) to, besides 'self'. */
  formActions?: string[];
  /** An inline script; allowed by the nonce. */
  script?: string;
  /** A script file Tessera serves (its absolute URL): CSP allows that one file, and no inline script. */
  scriptSrc?: string;
  /** Extra rules for this page, added to the one nonce'd style element. */
  style?: string;
  /** A wide frame (the account page) instead of the narrow sign-in card. */
  wide?: boolean;
}

export function page(body: Html, options: PageOptions): EngineResponse {
  const nonce = randomBytes(16).toString('base64');
  const formAction = ["'self'", ...(options.formActions ?? [])].join(' ');
  const csp = [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    options.script ? `script-src 'nonce-${nonce}'` : options.scriptSrc ? `script-src ${options.scriptSrc}` : "script-src 'none'",
    `form-action ${formAction}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  const document = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${options.title}</title>
<style nonce="${nonce}">${new Html(STYLE + (options.style ?? ''))}</style>
</head>
<body>
<main${options.wide ? new Html(' class="wide"') : ''}>
${body}
</main>
${options.script ? html`<script nonce="${nonce}">${new Html(options.script)}</script>` : ''}
${options.scriptSrc && !options.script ? html`<script src="${options.scriptSrc}" defer></script>` : ''}
</body>
</html>`;
  return {
    status: options.status ?? 200,
    headers: {
      'Content-Security-Policy': csp,
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
    },
    html: document.value,
  };
}
