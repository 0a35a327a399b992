/**
 * Deleting a client ends everything it was given: every stored token issued to it
 * (refresh tokens, reference access tokens), every user's consent for it (the grants
 * users see on their account page), and, through a marker kept as long as any of its
 * tokens can live, the JWT access tokens it holds, which introspection then calls
 * inactive. Without this a client registered again (or re-created by an
 * administrator) under the same id would inherit the old one's refresh tokens, and a
 * registration deleted by its owner (RFC 7592 §2.3) would leave its tokens working.
 *
 * The marker records when: tokens issued at or before it are revoked, tokens of a
 * client created later under the same id are not.
 *
 * The token endpoint needs no marker: what it is shown (an authorization code, an
 * approved device code, a refresh token) names its issue time, and the client it is
 * redeemed by carries its creation time (Client.createdAt), so a code or token older
 * than the client was issued to a deleted one of the same id. That is a comparison of
 * two numbers on a client the catalog already holds, not a store read per request.
 */
import type { AuditActor } from '../audit/audit-event.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { CatalogWriter } from '../catalog-writer.js';
import type { Client } from '../model.js';
import type { ConsentRepository, EphemeralRepository, TokenRepository } from '../ports/storage.js';

const MARKER_KIND = 'client_revocation';

export interface ClientRemovalDependencies {
  store: TokenRepository & ConsentRepository & EphemeralRepository;
  /** Deletes the client and drops cached copies here and on every instance. */
  clients: Pick<CatalogWriter, 'deleteClient'>;
  clock: Clock;
  audit: AuditLog;
  /** The longest an access token can live, in seconds: how long the marker must last (stored tokens are revoked in their rows). */
  longestLifetime: () => Promise<number>;
}

export interface ClientRemoval {
  /** Whether the client existed. */
  deleted: boolean;
  /** Tokens revoked. */
  tokens: number;
  /** Users' consents (grants) withdrawn. */
  consents: number;
}

/** Who asked, for the audit event: an administrator (actor) or the client itself at RFC 7592 (its address). */
export interface RemovalOrigin {
  actor?: AuditActor;
  ip?: string;
  requestId?: string;
  /** Why, in the audit event's details: `registration` (RFC 7592 DELETE) or `management`. */
  via: 'registration' | 'management';
}

export async function removeClient(deps: ClientRemovalDependencies, clientId: string, origin: RemovalOrigin): Promise<ClientRemoval> {
  const { store, clock } = deps;
  const now = clock.now();
  // The marker first: a token minted while the rows are being revoked is still caught.
  await store.putRecord(MARKER_KIND, clientId, { at: now }, now + (await deps.longestLifetime()));
  const deleted = await deps.clients.deleteClient(clientId);
  const tokens = await store.revokeClientTokens(clientId, now);
  const consents = await store.deleteClientConsents(clientId);
  const { via, actor, ip, requestId } = origin;
  deps.audit.record({
    type: 'token.revoked',
    outcome: 'success',
    clientId,
    ...(actor ? { actor } : {}),
    ...(ip ? { ip } : {}),
    ...(requestId ? { requestId } : {}),
    details: { clientDeleted: true, via, tokens, consents },
  });
  return { deleted, tokens, consents };
}

/** True when the client was deleted at or after `issuedAt` (seconds): its token is revoked. */
export async function isRevokedWithClient(store: Pick<EphemeralRepository, 'getRecord'>, clientId: string, issuedAt: number, now: number): Promise<boolean> {
  if (clientId === '') return false;
  const marker = await store.getRecord<{ at: number }>(MARKER_KIND, clientId, now);
  return marker !== undefined && issuedAt <= marker.at;
}

/**
 * True when something issued at `issuedAt` (seconds) predates the client presenting it:
 * it was issued to a deleted client of the same id. A client without `createdAt` (saved
 * before it was recorded) predates every pending code. Equal seconds pass: the clock counts
 * seconds, and a code issued in its client's first second is the common case in tests and
 * scripts; deleting and re-creating a client within the second a code was issued is not caught.
 */
export function predatesClient(client: Pick<Client, 'createdAt'>, issuedAt: number): boolean {
  return client.createdAt !== undefined && issuedAt < client.createdAt;
}
