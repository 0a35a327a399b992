/**
 * Route guards: what a principal must hold. Pure values, checked by the authenticator
 * and usable in every adapter: `requireScopes('read:calendars')`.
 */
import { acrSatisfies, ACR_VALUES } from './shared/auth-level.js';
import type { Principal } from './principal.js';

export type GuardRefusal =
  | {
      reason: 'insufficient_scope' | 'insufficient_permissions';
      /** What the route needs, for the challenge's `scope` parameter. */
      scope: string;
    }
  | {
      reason: 'insufficient_user_authentication';
      /** RFC 9470 challenge parameters: the level and the freshness the route needs. */
      acrValues?: string;
      maxAge?: number;
    };

export interface Guard {
  /** Undefined when the principal passes; `now` in seconds since the epoch. */
  check(principal: Principal, now: number): GuardRefusal | undefined;
}

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/; // RFC 6749 §3.3 scope-token

function validated(kind: string, values: string[]): string[] {
  if (values.length === 0) throw new TypeError(`${kind}() needs at least one value`);
  for (const value of values) {
    if (typeof value !== 'string' || !SCOPE_TOKEN.test(value)) throw new TypeError(`${kind}(): "${String(value)}" is not a valid scope token`);
  }
  return values;
}

/** Every one of these scopes must have been granted to the credential. */
export function requireScopes(...scopes: string[]): Guard {
  const needed = validated('requireScopes', scopes);
  const scope = needed.join(' ');
  return {
    check: (principal) => (needed.every((s) => principal.scopes.includes(s)) ? undefined : { reason: 'insufficient_scope', scope }),
  };
}

/** Every one of these permissions must be held on this API. */
export function requirePermissions(...permissions: string[]): Guard {
  const needed = validated('requirePermissions', permissions);
  const scope = needed.join(' ');
  return {
    check: (principal) => (needed.every((p) => principal.permissions.includes(p)) ? undefined : { reason: 'insufficient_permissions', scope }),
  };
}

export interface AuthLevel {
  /** The least authentication context class (acr) the route needs, e.g. 'urn:tessera:loa:2fa'. */
  acr?: string;
  /** At most this many seconds since the user authenticated (auth_time). */
  maxAge?: number;
}

/**
 * The user must have signed in at least this strongly and this recently (RFC 9470 step-up).
 * Otherwise: 401 `insufficient_user_authentication` with `acr_values` and `max_age` in the
 * challenge, so the client sends the user back to /authorize with those parameters.
 * A credential without a sign-in behind it (a PAT, a client's own token) never passes.
 */
export function requireAuthLevel(level: AuthLevel): Guard {
  const { acr, maxAge } = level;
  if (acr === undefined && maxAge === undefined) throw new TypeError('requireAuthLevel() needs acr, maxAge or both');
  if (acr !== undefined && !ACR_VALUES.includes(acr))
    throw new TypeError(`requireAuthLevel(): unknown acr "${acr}"; Tessera's levels are ${ACR_VALUES.join(', ')}`);
  if (maxAge !== undefined && !(Number.isInteger(maxAge) && maxAge >= 0))
    throw new TypeError('requireAuthLevel(): maxAge must be a whole number of seconds, 0 or more');
  const refusal: GuardRefusal = {
    reason: 'insufficient_user_authentication',
    ...(acr !== undefined ? { acrValues: acr } : {}),
    ...(maxAge !== undefined ? { maxAge } : {}),
  };
  return {
    check(principal, now) {
      const auth = principal.authentication;
      if (!auth) return refusal;
      if (acr !== undefined && !acrSatisfies(auth.acr, acr)) return refusal;
      if (maxAge !== undefined && now - auth.authTime > maxAge) return refusal;
      return undefined;
    },
  };
}
