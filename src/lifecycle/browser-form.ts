/**
 * CSRF protection for the forms of the mail flows, which a person may open without
 * being signed in: each form carries a token derived from the browser's own cookie
 * (the one authorization flows use) and the form's purpose, so another site can
 * neither read nor forge it, and cannot submit a form in this browser's name.
 */
import { randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../core/crypto/constant-time.js';
import type { SecretHasher } from '../core/crypto/secret-hasher.js';
import { BROWSER_COOKIE } from '../core/interaction/pending-authorizations.js';
import type { EngineRequest, EngineResponse } from '../core/request.js';
import { messagePage } from '../pages/mail-pages.js';

const BROWSER = /^[\w-]{43}$/;

export class BrowserForms {
  readonly #hasher: SecretHasher;

  constructor(hasher: SecretHasher) {
    this.#hasher = hasher;
  }

  /** For a GET: the form token, and a page wrapper that sets the browser cookie when the browser had none. */
  open(request: EngineRequest, purpose: string): { csrf: string; send(response: EngineResponse): EngineResponse } {
    const existing = request.cookies?.[BROWSER_COOKIE];
    const browser = existing && BROWSER.test(existing) ? existing : randomBytes(32).toString('base64url');
    return {
      csrf: this.#token(browser, purpose),
      send: (response) =>
        browser === existing ? response : { ...response, setCookies: [...(response.setCookies ?? []), { name: BROWSER_COOKIE, value: browser }] },
    };
  }

  /** For a POST: the form token if the form came from this browser's page, else undefined. */
  check(request: EngineRequest, purpose: string): string | undefined {
    const browser = request.cookies?.[BROWSER_COOKIE];
    if (!browser || !BROWSER.test(browser)) return undefined;
    const token = this.#token(browser, purpose);
    return constantTimeEqual(request.params.get('csrf'), token) ? token : undefined;
  }

  #token(browser: string, purpose: string): string {
    return this.#hasher.hash(`mail-form:${purpose}:${browser}`);
  }
}

export const refused = () =>
  messagePage('Request refused', 'The form was not sent from this page (CSRF check failed). Open the link again and retry.', undefined, 403);

export const invalidLink = () => messagePage('This link does not work', 'It is invalid, has expired, or was already used. Ask for a new one.', undefined, 400);
