/** Cookie parsing and Set-Cookie rendering. Tessera's cookies are HttpOnly and SameSite=Lax, Secure over https. */
import type { SetCookie } from '../core/request.js';

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    if (!(name in cookies)) cookies[name] = part.slice(eq + 1).trim();
  }
  return cookies;
}

export function renderSetCookie(cookie: SetCookie, options: { path: string; secure: boolean }): string {
  const attributes = [`${cookie.name}=${cookie.value}`, `Path=${options.path}`, 'HttpOnly', 'SameSite=Lax'];
  if (options.secure) attributes.push('Secure');
  if (cookie.maxAge !== undefined) attributes.push(`Max-Age=${cookie.maxAge}`);
  return attributes.join('; ');
}
