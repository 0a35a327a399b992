/**
 * What the sign-in pages show of upstream identity providers: a button (a link, so
 * that leaving for the upstream is a plain navigation) per provider, and the page
 * that ends an upstream sign-in that did not work, with a way back.
 */
import type { EngineResponse } from '../core/request.js';
import { html, type Html } from './html.js';
import { page } from './layout.js';

import type { UpstreamButton } from '../core/ports/views.js';

export const UPSTREAM_STYLE = `
.upstream { display: grid; gap: .5rem; margin-top: 1.25rem; }
.upstream p { margin: 0; text-align: center; }
a.upstream-button { display: block; text-align: center; padding: .6rem 1.1rem; border-radius: 8px; border: 1px solid var(--accent); color: inherit; text-decoration: none; }
`;

export function upstreamButtons(buttons: readonly UpstreamButton[] | undefined): Html {
  if (!buttons || buttons.length === 0) return html``;
  return html`<div class="upstream">
<p class="muted">or</p>
${buttons.map((b) => html`<a class="upstream-button" href="${b.href}">Sign in with ${b.name}</a>\n`)}
</div>`;
}

export function upstreamErrorPage(view: { title: string; message: string; status: number; back?: UpstreamButton }): EngineResponse {
  return page(
    html`<h1>${view.title}</h1>
<p class="error" role="alert">${view.message}</p>
${view.back ? html`<p><a href="${view.back.href}">${view.back.name}</a></p>` : ''}`,
    { title: view.title, status: view.status },
  );
}
