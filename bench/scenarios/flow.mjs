/**
 * Scenario e: the authorization-code + PKCE flow end to end, per completed flow,
 * driven by lib/flow.mjs (a browser per flow), with the password hash's own cost
 * measured right before each server's run so the rest of the flow can be told apart.
 */
import { FLOW_SCOPE, PASSWORD, REDIRECT_URI, USERNAME, WEB_BASIC, WEB_CLIENT_ID } from '../lib/fixtures.mjs';
import { scryptFloor } from '../lib/floors.mjs';
import { FLOW_CONCURRENCY, FLOW_SECONDS } from '../lib/settings.mjs';

export const flow = {
  id: 'flow',
  title: 'e. authorization code + PKCE, end to end: authorize -> sign-in (password) -> consent -> code -> token (per completed flow)',
  servers: ['tessera', 'oidc-provider', 'oidc-provider-sqlite'],
  unit: 'flow',
  async prepare(url, endpoints) {
    // The password hash alone, measured right before this server's load (the server
    // idles meanwhile): on a shared machine its cost moves with the neighbours.
    const scrypt = scryptFloor();
    return {
      driver: 'flow.mjs',
      extra: { scryptMs: scrypt.usPerHash / 1000, scryptDisturbed: scrypt.disturbed, scryptForeignPercent: scrypt.foreignServerCorePercent },
      seconds: FLOW_SECONDS,
      spec: {
        base: url,
        authorizePath: endpoints.authorization,
        tokenPath: endpoints.token,
        clientId: WEB_CLIENT_ID,
        basic: WEB_BASIC,
        redirectUri: REDIRECT_URI,
        scope: FLOW_SCOPE,
        username: USERNAME,
        password: PASSWORD,
        concurrency: FLOW_CONCURRENCY,
      },
    };
  },
};
