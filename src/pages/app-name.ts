/**
 * An application's name as the pages show it. The name is whatever the application
 * says (a client that registered itself, or a metadata document, chooses its own), so
 * it is escaped like any text, isolated with <bdi> so right-to-left or override
 * characters in it cannot reorder the sentence around it ("… you go back to …"), and
 * cut to a length that cannot push the unverified warning out of sight.
 */
import { html, type Html } from './html.js';

/** Longest name shown, in characters (code points); longer ones end with an ellipsis. */
export const SHOWN_NAME_LENGTH = 80;

export function appName(name: string): Html {
  const chars = Array.from(name);
  const shown = chars.length > SHOWN_NAME_LENGTH ? `${chars.slice(0, SHOWN_NAME_LENGTH).join('')}…` : name;
  return html`<bdi class="app-name">${shown}</bdi>`;
}
