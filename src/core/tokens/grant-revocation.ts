/**
 * Revoking a grant (a code replay, a reused refresh token, a revoked refresh token).
 * Marking the rows revoked is not enough when requests race: a token of the grant
 * may be inserted a moment after the UPDATE ran. So the grant id is also recorded as
 * revoked, for as long as any of its tokens can live, and every use checks it.
 */
import type { RevocationRepository, TokenRepository } from '../ports/storage.js';

const marker = (grantId: string) => `grant:${grantId}`;

export async function revokeGrant(store: TokenRepository & RevocationRepository, grantId: string, now: number, longestLifetime: number): Promise<void> {
  await store.revokeJti(marker(grantId), now + longestLifetime);
  await store.revokeGrant(grantId, now);
}

export function isGrantRevoked(store: RevocationRepository, grantId: string | undefined): Promise<boolean> {
  return grantId === undefined ? Promise.resolve(false) : store.isJtiRevoked(marker(grantId));
}
