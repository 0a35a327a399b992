/**
 * The passkey script (assets/passkey.js), read on the first request for it and served at
 * /assets/passkey.js under the issuer: the pages allow that one URL in their CSP.
 * Found beside this module in src/, or in the source folder when running from dist/.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface StaticScript {
  body: string;
  etag: string;
}

function scriptPath(): string {
  const beside = fileURLToPath(new URL('./assets/passkey.js', import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL('../../src/pages/assets/passkey.js', import.meta.url));
}

export function loadPasskeyScript(): StaticScript {
  const body = readFileSync(scriptPath(), 'utf8');
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}
