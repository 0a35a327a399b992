/**
 * What the audit log records: security-relevant events, each with who did it (actor),
 * whom or what it concerns (subject, client, API), and how it ended. Never a token,
 * secret or password: tokens are named by their id (jti), users by id and username.
 */

export const AUDIT_EVENT_TYPES = [
  'token.issued',
  'token.refreshed',
  'token.exchanged',
  'token.revoked',
  'token.introspection_failed',
  'client.authentication_failed',
  'client.metadata_document_fetched',
  'signin.succeeded',
  'signin.failed',
  'consent.granted',
  'consent.revoked',
  'key.rotated',
  'management.changed',
  'api.called',
  'upstream.user_created',
  'upstream.linked',
  'upstream.unlinked',
  'device.requested',
  'device.code_entered',
  'device.authorized',
  'mfa.enrolled',
  'mfa.removed',
  'mfa.failed',
  'mfa.recovery_codes_generated',
  'mfa.recovery_code_used',
  'client.registered',
  'client.registration_updated',
  'client.registration_deleted',
  'logout.backchannel_delivered',
  'logout.backchannel_failed',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
export type AuditOutcome = 'success' | 'failure';

export interface AuditActor {
  type: 'user' | 'client' | 'service_account' | 'admin' | 'system';
  id: string;
}

export interface AuditEvent {
  type: AuditEventType;
  outcome: AuditOutcome;
  /** Epoch milliseconds. */
  at: number;
  actor?: AuditActor;
  /** The user, service account or client the event concerns. */
  subject?: string;
  clientId?: string;
  api?: string;
  scopes?: string[];
  /** access_token, refresh_token, id_token, personal_access_token... */
  tokenKind?: string;
  /** The token's id (jti), never the token. */
  tokenId?: string;
  /** Why it failed: an error code, optionally with its description. */
  reason?: string;
  ip?: string;
  requestId?: string;
  details?: Record<string, unknown>;
}

/** What callers hand to `AuditLog.record`: the time is stamped on the way in. */
export type AuditEventInput = Omit<AuditEvent, 'at'> & { at?: number };

/** A stored event: its place in the chain and the hash that seals it. */
export interface AuditRecord extends AuditEvent {
  sequence: number;
  /** The hash of the record before it (or of the anchor, for the first kept record). */
  prevHash: string;
  hash: string;
}

/** The values a store keeps in columns beside a record's sealed document, to search by. */
export interface IndexedColumns {
  at: number;
  type: string;
  outcome: string;
  actorId: string | null;
  subject: string | null;
  clientId: string | null;
}

/** The searched columns an event is stored with. */
export function indexedColumns(event: AuditEvent): IndexedColumns {
  return {
    at: event.at,
    type: event.type,
    outcome: event.outcome,
    actorId: event.actor?.id ?? null,
    subject: event.subject ?? null,
    clientId: event.clientId ?? null,
  };
}

/** A record as read for verification: with its searched columns, which must agree with its document. */
export interface ChainRecord extends AuditRecord {
  indexed: IndexedColumns;
}

/** A point of the chain: the newest record (head), or the last pruned one (anchor). */
export interface ChainPoint {
  sequence: number;
  hash: string;
}

export interface AuditFilter {
  /** Epoch milliseconds, inclusive. */
  from?: number;
  /** Epoch milliseconds, exclusive. */
  to?: number;
  actorId?: string;
  subject?: string;
  clientId?: string;
  type?: AuditEventType;
  outcome?: AuditOutcome;
}

export function isAuditEventType(value: string): value is AuditEventType {
  return (AUDIT_EVENT_TYPES as readonly string[]).includes(value);
}
