/** The management API's response shapes, as the CLI reads them: derived from the API's own schemas, never re-declared. */
import type { z } from 'zod';
import type {
  apiOut,
  clientOut,
  consentOut,
  grantOut,
  identityProviderOut,
  initialAccessTokenOut,
  keyOut,
  registrationOut,
  roleOut,
  serviceAccountOut,
  sessionOut,
  userOut,
} from '../management/schemas.js';

export type ApiOut = z.infer<typeof apiOut>;
export type ClientOut = z.infer<typeof clientOut>;
export type UserOut = z.infer<typeof userOut>;
export type RoleOut = z.infer<typeof roleOut>;
export type ServiceAccountOut = z.infer<typeof serviceAccountOut>;
export type ConsentOut = z.infer<typeof consentOut>;
export type KeyOut = z.infer<typeof keyOut>;
export type SessionOut = z.infer<typeof sessionOut>;
export type GrantOut = z.infer<typeof grantOut>;
export type IdentityProviderOut = z.infer<typeof identityProviderOut>;
export type InitialAccessTokenOut = z.infer<typeof initialAccessTokenOut>;
export type RegistrationOut = z.infer<typeof registrationOut>;
