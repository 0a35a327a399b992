/** RFC 6238 codes computed by the test itself (not with Tessera's code), and the steps of the MFA pages. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readForm, type Page, type TestBrowser } from './browser.js';

function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
}

/** The code an authenticator app shows at `epochSeconds` (+ `steps` of 30 s). */
export function totpAt(secret: string, epochSeconds: number, steps = 0): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(epochSeconds / 30) + steps));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[19]! & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** The secret of the otpauth:// URI shown on an enrolment page. */
export function secretOf(page: Page): string {
  const uri = /(otpauth:\/\/totp\/[^<\s"]+)/.exec(page.html)?.[1] ?? assert.fail(`no otpauth URI on the page:\n${page.html.slice(0, 400)}`);
  return new URL(uri.replace(/&amp;/g, '&')).searchParams.get('secret')!;
}

/** The form whose action ends with `suffix`, with its hidden fields. */
export function formEndingWith(page: Page, suffix: string): { action: string; fields: Record<string, string> } {
  for (const match of page.html.matchAll(/<form[\s\S]*?<\/form>/g)) {
    const form = readForm(match[0]);
    if (form.action.endsWith(suffix)) return form;
  }
  return assert.fail(`no form posting to …${suffix}:\n${page.html.slice(0, 400)}`);
}

/** Submits the code form of a second-step page. */
export function submitCode(browser: TestBrowser, page: Page, code: string): Promise<Page> {
  const form = readForm(page.html);
  return browser.post(form.action, { ...form.fields, code });
}

export const recoveryCodesOf = (page: Page): string[] => [...page.html.matchAll(/<li><code>([a-z0-9]{5}-[a-z0-9]{5})<\/code><\/li>/g)].map((m) => m[1]!);
