/**
 * Sandbox subjects (seed 001's silent sign-in). A sandboxed client signing a user in
 * without consent acts for a subject of its own: stable for that (user, client) pair,
 * different for every other client, and unlinkable to the user without the server's
 * key. Resource servers keep data per subject, so the app sees only what it created
 * in its sandbox and never the user's own data.
 */
import type { SecretHasher } from '../crypto/secret-hasher.js';

export const SANDBOX_PREFIX = 'sbx_';

export function sandboxSubject(hasher: SecretHasher, userId: string, clientId: string): string {
  return SANDBOX_PREFIX + hasher.hash(`sandbox\u0000${userId}\u0000${clientId}`).slice(0, 27);
}

/**
 * The `sid` a sandboxed client sees: pairwise like its subject, so ID tokens of a
 * sandbox app and of a normal app from one browser session cannot be linked.
 */
export function sandboxSid(hasher: SecretHasher, sid: string, clientId: string): string {
  return hasher.hash(`sandbox-sid\u0000${sid}\u0000${clientId}`).slice(0, 27);
}
