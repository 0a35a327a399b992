/** The claims a user releases per OpenID Connect scope (Core §5.4). */
import type { User } from '../model.js';

export function userClaims(user: User, scopes: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  if (scopes.includes('profile')) {
    claims.preferred_username = user.username;
    if (user.name !== undefined) claims.name = user.name;
  }
  if (scopes.includes('email') && user.email !== undefined) {
    claims.email = user.email;
    claims.email_verified = user.emailVerified ?? false;
  }
  return claims;
}
