/**
 * Who must sign in with a second factor: everyone, holders of some roles (the
 * administrators by default when the server's `mfa.required` is `admins`), and
 * anyone signing in to a client with `requireMfa`. A user who must and has no factor
 * is taken through enrolment right after the password.
 */
import { ACR_MULTI_FACTOR } from '@tessera/resource-server/shared';
import type { AuthorizationRequest } from '../authorize/authorization-request.js';
import type { Client, User } from '../model.js';

export interface MfaPolicy {
  everyone: boolean;
  /** Users holding any of these roles must use a second factor. */
  roles: string[];
}

export const NO_MFA_POLICY: MfaPolicy = { everyone: false, roles: [] };

/** The `mfa` server setting: who must, by name. */
export interface MfaSetting {
  required: 'none' | 'admins' | 'everyone';
  roles: string[];
}

/** The policy a setting means; `admins` are the holders of `adminRoles` (the management API's administrator role). */
export function mfaPolicyFrom(setting: MfaSetting, adminRoles: string[]): MfaPolicy {
  return { everyone: setting.required === 'everyone', roles: [...new Set([...(setting.required === 'admins' ? adminRoles : []), ...setting.roles])] };
}

export function mfaRequired(policy: MfaPolicy, user: User, client?: Pick<Client, 'requireMfa'>): boolean {
  return policy.everyone || client?.requireMfa === true || user.roles.some((role) => policy.roles.includes(role));
}

/** Whether an authorization request asks for the multi-factor level first (acr_values, in order of preference). */
export function wantsMfa(request: Pick<AuthorizationRequest, 'acrValues'>): boolean {
  return request.acrValues?.[0] === ACR_MULTI_FACTOR;
}
