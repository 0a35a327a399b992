/**
 * The account page's "Sign-in methods" section: the upstream identities linked to the
 * account (each can be unlinked unless it is the last way to sign in), and a link to
 * add one per provider not linked yet.
 */
import type { IdentitiesView } from '../core/ports/views.js';
import { html, type Html } from './html.js';

const day = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

export function identitiesSection(view: IdentitiesView & { base: string }, notice: Html | string, csrf: Html): Html {
  return html`<section id="identities" aria-labelledby="identities-title">
<h2 id="identities-title">Sign-in methods</h2>
${notice}
${
  view.identities.length === 0
    ? html`<p class="empty">No identity provider is linked to your account.</p>`
    : html`<ul class="identities">
${view.identities.map(
  (i) => html`<li><strong>${i.providerName}</strong> ${i.label} <span class="muted">linked ${day(i.linkedAt)}</span>
${
  i.canUnlink
    ? html`<form method="post" action="${view.base}/unlink-identity">${csrf}<input type="hidden" name="provider" value="${i.providerId}"><input type="hidden" name="subject" value="${i.subject}"><button type="submit" class="small danger" aria-label="Unlink ${i.providerName} ${i.label}">Unlink</button></form>`
    : html`<span class="muted">(your only way to sign in)</span>`
}</li>`,
)}
</ul>`
}
${view.linkable.map((l) => html`<p><a href="${l.href}">Link your ${l.name} account</a></p>`)}
</section>`;
}
