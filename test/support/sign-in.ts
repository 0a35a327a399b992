/** Drives the sign-in flow through Tessera's real pages, as a user would. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { PASSWORDS } from './fixture.js';
import { callbackParams, readForm, type TestBrowser, type Page } from './browser.js';

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(issuer: string, params: Record<string, string>): string {
  return `${issuer}/authorize?${new URLSearchParams(params)}`;
}

/** Submits the sign-in form on `page`. */
export async function submitSignIn(browser: TestBrowser, page: Page, username: string, password?: string): Promise<Page> {
  const form = readForm(page.html);
  return browser.post(form.action, { ...form.fields, username, password: password ?? PASSWORDS[username as keyof typeof PASSWORDS] });
}

/** Presses Allow or Deny on a consent page. */
export async function decide(browser: TestBrowser, page: Page, decision: 'allow' | 'deny'): Promise<Page> {
  assert.match(page.html, /Allow access\?/);
  const form = readForm(page.html);
  return browser.post(form.action, { ...form.fields, decision });
}

/**
 * Runs authorize → sign in (if asked) → consent (if asked) and returns the
 * parameters the client receives at its redirect URI.
 */
export async function authorize(
  browser: TestBrowser,
  issuer: string,
  params: Record<string, string>,
  options: { username?: string; consent?: 'allow' | 'deny' } = {},
): Promise<Record<string, string>> {
  let page = await browser.follow(await browser.get(authorizeUrl(issuer, params)), issuer);
  if (/name="password"/.test(page.html)) page = await browser.follow(await submitSignIn(browser, page, options.username ?? 'alice'), issuer);
  if (/Allow access\?/.test(page.html)) page = await browser.follow(await decide(browser, page, options.consent ?? 'allow'), issuer);
  assert.ok(page.location, `expected a redirect to the client, got ${page.status}: ${page.html.slice(0, 300)}`);
  return callbackParams(page.location);
}
