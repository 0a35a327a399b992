/**
 * Route guards: what a principal must hold. Pure values, checked by the authenticator
 * and usable in every adapter: `requireScopes('read:calendars')`.
 */
import type { Principal } from './principal.js';

export interface GuardRefusal {
  reason: 'insufficient_scope' | 'insufficient_permissions';
  /** What the route needs, for the challenge's `scope` parameter. */
  scope: string;
}

export interface Guard {
  /** Undefined when the principal passes. */
  check(principal: Principal): GuardRefusal | undefined;
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
