/**
 * The few requests the runner makes itself (to check a server answers as expected
 * before it is loaded), and the check that stops a scenario when it does not.
 */
import { BASIC } from './fixtures.mjs';

export async function post(url, path, form, authorization = BASIC) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body, text };
}

export function check(condition, what, response) {
  if (!condition) throw new Error(`sanity check failed: ${what}\n  got HTTP ${response.status}: ${response.text.slice(0, 400)}`);
}

export function jwtParts(token) {
  const [header, payload] = token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')));
  return { header, payload };
}
