/**
 * The floors every figure is read against, measured under the same load and pinning:
 * raw node:http, node:http + one ES256 signature (servers/*.mjs), the ES256 sign rate,
 * and one password hash alone (for the authorization-code flow).
 */
import { join } from 'node:path';
import { JWT_API, tokenRequestBody } from './fixtures.mjs';
import { load } from './measure.mjs';
import { BENCH } from './paths.mjs';
import { pinnedChild } from './pinned-child.mjs';
import { check, post } from './requests.mjs';
import { startServer, stopServer } from './server-process.mjs';
import { QUICK } from './settings.mjs';

/** A floor server (servers/raw-http.mjs, servers/sign-http.mjs) under the scenario-a request. */
export async function floorServer(label, script, verify) {
  const running = await startServer(label, [process.execPath, join(BENCH, 'servers', script)], {});
  try {
    const body = tokenRequestBody(JWT_API);
    const r = await post(running.url, '/token', body);
    check(r.status === 200, `${label} answers 200`, r);
    return await load(running, { path: '/token', body, verify });
  } finally {
    await stopServer(running);
  }
}

export const signFloor = () => pinnedChild('sign-rate.mjs', ['2']);
export const scryptFloor = () => pinnedChild('scrypt-rate.mjs', [QUICK ? '1' : '2']);
