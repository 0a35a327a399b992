// @ts-check
/**
 * Signing in to the console: the authorization code flow with PKCE (S256) through
 * Tessera's own sign-in page, as the first-party public client `tessera-console`. The
 * access token (for the management API) lives in sessionStorage: it dies with the tab
 * and is never sent anywhere but this server. When it expires, the console signs in
 * again (the sign-in session usually makes that a redirect and back).
 */
import { config } from './config.js';

const PENDING = 'tessera.console.pending';
const SESSION = 'tessera.console.session';

/**
 * @typedef {{ accessToken: string, idToken?: string, expiresAt: number, obtainedAt: number, scope: string }} Session
 */

/** @param {Uint8Array | ArrayBuffer} bytes */
function base64url(bytes) {
  let s = '';
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const random = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

/** Sends the browser to Tessera's sign-in; comes back to `returnTo` (a #route). */
export async function signIn(returnTo = location.hash) {
  if (!crypto.subtle) throw new Error('The console needs a secure context (https, or http on localhost) for PKCE.');
  const verifier = random();
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const state = random();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo }));
  const params = new URLSearchParams({
    client_id: config.clientId,
    response_type: 'code',
    redirect_uri: config.home,
    scope: `openid profile ${config.scopes}`,
    resource: config.audience,
    state,
    nonce: random(),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  location.assign(`${config.issuer}/authorize?${params}`);
}

/**
 * Finishes a sign-in when the page is the redirect back from /authorize. Returns
 * undefined when it is not; throws with what went wrong when it failed.
 * @returns {Promise<Session | undefined>}
 */
export async function completeSignIn() {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return undefined;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', `${config.home}${pending?.returnTo ?? ''}`);
  if (!pending || params.get('state') !== pending.state) throw new Error('This sign-in was not started here (its state does not match). Sign in again.');
  if (params.get('iss') !== config.issuer) throw new Error('The answer did not come from this Tessera (iss does not match).');
  if (params.has('error')) throw new Error(`Sign-in failed: ${params.get('error_description') ?? params.get('error')}`);
  const response = await fetch(`${config.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code') ?? '',
      redirect_uri: config.home,
      client_id: config.clientId,
      code_verifier: pending.verifier,
    }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`Sign-in failed at the token endpoint: ${body.error_description ?? body.error}`);
  const now = Date.now();
  /** @type {Session} */
  const session = { accessToken: body.access_token, idToken: body.id_token, expiresAt: now + body.expires_in * 1000, obtainedAt: now, scope: body.scope ?? '' };
  sessionStorage.setItem(SESSION, JSON.stringify(session));
  return session;
}

/** The current session, unless it has expired (or is about to). @returns {Session | undefined} */
export function currentSession() {
  /** @type {Session | null} */
  const session = JSON.parse(sessionStorage.getItem(SESSION) ?? 'null');
  if (!session || session.expiresAt - 10_000 <= Date.now()) return undefined;
  return session;
}

export function forgetSession() {
  sessionStorage.removeItem(SESSION);
}

/** Ends the console session and the sign-in session (RP-initiated logout). */
export function signOut() {
  const session = currentSession();
  forgetSession();
  const params = new URLSearchParams({ post_logout_redirect_uri: config.home, state: 'signed-out', client_id: config.clientId });
  if (session?.idToken) params.set('id_token_hint', session.idToken);
  location.assign(`${config.issuer}/logout?${params}`);
}

/**
 * The signed-in user's name, from userinfo (the ID token of a code flow carries no
 * profile claims). Only for display; undefined when it cannot be had.
 * @param {Session} session
 * @returns {Promise<string | undefined>}
 */
export async function username(session) {
  try {
    const response = await fetch(`${config.issuer}/userinfo`, { headers: { authorization: `Bearer ${session.accessToken}` } });
    if (!response.ok) return undefined;
    const body = await response.json();
    return typeof body.preferred_username === 'string' ? body.preferred_username : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The claims of a JWT, unverified: only to read our own token's subject and the ID
 * token's name for display; the server checks every call.
 * @param {string | undefined} jwt
 * @returns {Record<string, unknown>}
 */
export function claimsOf(jwt) {
  try {
    const part = (jwt ?? '').split('.')[1] ?? '';
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))));
  } catch {
    return {};
  }
}
