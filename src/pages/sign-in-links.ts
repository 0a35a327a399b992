/** The links under the sign-in form ("Forgot your password?", "Create an account"), each shown only when its flow is on. */
import type { SignInLinks } from '../core/ports/views.js';
import { html, type Html } from './html.js';

export function signInLinks(links: SignInLinks): Html | string {
  const items = [
    ...(links.forgotPassword ? [html`<a href="${links.forgotPassword}">Forgot your password?</a>`] : []),
    ...(links.signUp ? [html`<a href="${links.signUp}">Create an account</a>`] : []),
  ];
  return items.length > 0 ? html`<p class="muted sign-in-links">${items.flatMap((item, i) => (i > 0 ? [html` · `, item] : [item]))}</p>` : '';
}
