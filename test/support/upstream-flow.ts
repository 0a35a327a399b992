/** Drives a browser through sign-ins that leave Tessera for an upstream provider and come back. */
import assert from 'node:assert/strict';
import type { Page, TestBrowser } from './browser.js';

/**
 * Opens `url` and follows redirects across origins (relative ones too) until a page is
 * shown or the browser is sent to `stopAt` (the client's redirect URI).
 */
export async function openAndFollow(browser: TestBrowser, url: string, stopAt = 'https://'): Promise<Page & { url: string }> {
  let at = url;
  let page = await browser.get(at);
  for (let hops = 0; page.location; hops++) {
    assert.ok(hops < 20, 'too many redirects');
    const next = new URL(page.location, at).href;
    if (next.startsWith(stopAt)) return { ...page, location: next, url: at };
    at = next;
    page = await browser.get(at);
  }
  return { ...page, url: at };
}

/** The href of the "Sign in with NAME" button on a sign-in page. */
export function providerLink(page: Page, name: string): string {
  const match = new RegExp(`<a class="upstream-button" href="([^"]+)">Sign in with ${name}</a>`).exec(page.html);
  assert.ok(match, `no "Sign in with ${name}" button on:\n${page.html.slice(0, 800)}`);
  return match[1]!.replace(/&amp;/g, '&');
}
