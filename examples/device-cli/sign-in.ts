/**
 * A command-line tool signing a user in with the device flow (RFC 8628), with
 * oauth4webapi: the whole client side in a few calls. With Tessera running on the
 * example configuration (`npm start -- --config example.yaml`), from the repository root:
 *
 *   node --import tsx examples/device-cli/sign-in.ts
 *
 * It prints a code and a link; open the link on any device, sign in as alice and
 * allow; the tool, polling meanwhile, receives the tokens. Environment: TESSERA_ISSUER
 * (default http://127.0.0.1:9000), CLIENT_ID (organizer-cli, a public client of
 * example.yaml allowed the device grant), SCOPE and RESOURCE.
 */
import { pathToFileURL } from 'node:url';
import * as oauth from 'oauth4webapi';

export interface DeviceSignInOptions {
  issuer: string;
  clientId: string;
  scope: string;
  /** The API the access token is for (RFC 8707). */
  resource?: string;
  /** Shows the person what to do: open `uri` (or `verificationUri` and type `userCode`). */
  onCode: (code: { userCode: string; verificationUri: string; uri: string; expiresIn: number }) => void;
  /** Waits between polls; the tests pass one that moves their clock instead. */
  sleep?: (seconds: number) => Promise<void>;
  /** Only for a loopback issuer over http, as in the example. */
  allowHttp?: boolean;
}

export type DeviceTokens = oauth.TokenEndpointResponse;

export interface DeviceSignIn {
  tokens: DeviceTokens;
  idToken?: oauth.IDToken;
  /** Who signed in, from the userinfo endpoint (with `openid` in the scope). */
  user?: oauth.UserInfoResponse;
}

export async function deviceSignIn(options: DeviceSignInOptions): Promise<DeviceSignIn> {
  const http = options.allowHttp ? { [oauth.allowInsecureRequests]: true } : {};
  const sleep = options.sleep ?? ((s: number) => new Promise<void>((resolve) => setTimeout(resolve, s * 1000)));
  const issuer = new URL(options.issuer);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...http }));
  const client: oauth.Client = { client_id: options.clientId };
  const auth = oauth.None(); // a public client: no secret on the device

  // 1. Ask for a device code and a user code.
  const params: Record<string, string> = { scope: options.scope, ...(options.resource ? { resource: options.resource } : {}) };
  const device = await oauth.processDeviceAuthorizationResponse(as, client, await oauth.deviceAuthorizationRequest(as, client, auth, params, http));
  options.onCode({
    userCode: device.user_code,
    verificationUri: device.verification_uri,
    uri: device.verification_uri_complete ?? device.verification_uri,
    expiresIn: device.expires_in,
  });

  // 2. Poll until the person decides: wait `interval` seconds, 5 more after each slow_down.
  let interval: number = device.interval ?? 5;
  for (;;) {
    await sleep(interval);
    try {
      const response = await oauth.deviceCodeGrantRequest(as, client, auth, device.device_code, http);
      const tokens = await oauth.processDeviceCodeResponse(as, client, response);
      const idToken = oauth.getValidatedIdTokenClaims(tokens);
      if (!idToken) return { tokens };
      // 3. Who signed in: the ID token names the user (sub); userinfo says more.
      const user = await oauth.processUserInfoResponse(as, client, idToken.sub, await oauth.userInfoRequest(as, client, tokens.access_token, http));
      return { tokens, idToken, user };
    } catch (error) {
      if (!(error instanceof oauth.ResponseBodyError)) throw error;
      if (error.error === 'authorization_pending') continue;
      if (error.error === 'slow_down') {
        interval += 5;
        continue;
      }
      throw error; // access_denied, expired_token, invalid_grant: stop
    }
  }
}

// Run as a script: sign alice in and show what was granted.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const issuer = process.env.TESSERA_ISSUER ?? 'http://127.0.0.1:9000';
  const { tokens, user } = await deviceSignIn({
    issuer,
    clientId: process.env.CLIENT_ID ?? 'organizer-cli',
    scope: process.env.SCOPE ?? 'openid profile offline_access read:calendars',
    resource: process.env.RESOURCE ?? 'https://api.organizer.example',
    allowHttp: new URL(issuer).protocol === 'http:',
    onCode: ({ userCode, verificationUri, uri, expiresIn }) =>
      console.log(
        `\nOn your phone or computer, open\n\n  ${uri}\n\nor go to ${verificationUri} and type ${userCode}. (alice / alice-password-change-me; the code works for ${Math.round(expiresIn / 60)} minutes)\n\nWaiting...`,
      ),
  }).catch((error: unknown) => {
    console.error(`Not signed in: ${error instanceof oauth.ResponseBodyError ? `${error.error} (${error.error_description ?? ''})` : error}`);
    process.exit(1);
  });
  console.log(`Signed in${user ? ` as ${user.preferred_username ?? user.name ?? user.sub}` : ''}.`);
  console.log(`  scope:         ${tokens.scope ?? ''}`);
  console.log(`  access token:  ${tokens.access_token.slice(0, 24)}… (expires in ${tokens.expires_in} s)`);
  console.log(`  refresh token: ${tokens.refresh_token ? 'received' : 'none'}`);
}
