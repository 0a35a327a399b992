/**
 * How strongly a person signed in, as tokens say it: `amr` (RFC 8176 method values)
 * and `acr` (the level). Shared by the server, which issues them, and the
 * resource-server SDK, which demands them (RFC 9470 step-up).
 *
 *   urn:tessera:loa:1fa  one factor (a password, or a sign-in at an upstream provider)
 *   urn:tessera:loa:2fa  two factors (amr contains "mfa"): a password and a one-time code or
 *                        a passkey, or a user-verified passkey alone (possession plus the
 *                        PIN or biometric the authenticator checked)
 */
export const ACR_ONE_FACTOR = 'urn:tessera:loa:1fa';
export const ACR_MULTI_FACTOR = 'urn:tessera:loa:2fa';
/** Weakest first: a level satisfies every level before it. */
export const ACR_VALUES: readonly string[] = [ACR_ONE_FACTOR, ACR_MULTI_FACTOR];

/** The level reached by these authentication methods. */
export function acrOf(amr: readonly string[]): string {
  return amr.includes('mfa') ? ACR_MULTI_FACTOR : ACR_ONE_FACTOR;
}

/** Whether `achieved` is at least as strong as `wanted`; an unknown level satisfies nothing and is satisfied by nothing. */
export function acrSatisfies(achieved: string | undefined, wanted: string): boolean {
  const a = achieved === undefined ? -1 : ACR_VALUES.indexOf(achieved);
  const w = ACR_VALUES.indexOf(wanted);
  return a >= 0 && w >= 0 && a >= w;
}
