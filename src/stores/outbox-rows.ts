/**
 * The outboxes' rows, shared by the SQLite and PostgreSQL stores: the mail outbox, and
 * back-channel logout deliveries (the same shape in a table of their own).
 */
import type { OutboxMessage, OutboxStatus } from '../core/ports/outbox.js';

export interface OutboxRow {
  id: string;
  event_key: string;
  kind: string;
  recipient: string;
  payload: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

/** The tables with the outbox's shape (a closed list: the name goes into SQL text). */
export type OutboxTable = 'mail_outbox' | 'logout_outbox';

export const OUTBOX_COLUMNS = 'id, event_key, kind, recipient, payload, status, attempts, next_attempt_at, last_error, created_at, sent_at';

export function outboxValues(m: OutboxMessage): unknown[] {
  return [m.id, m.eventKey, m.kind, m.recipient, m.payload, m.status, m.attempts, m.nextAttemptAt, m.lastError ?? null, m.createdAt, m.sentAt ?? null];
}

export function outboxFromRow(row: OutboxRow): OutboxMessage {
  const message: OutboxMessage = {
    id: row.id,
    eventKey: row.event_key,
    kind: row.kind,
    recipient: row.recipient,
    payload: row.payload,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    createdAt: Number(row.created_at),
  };
  if (row.last_error !== null) message.lastError = row.last_error;
  if (row.sent_at !== null) message.sentAt = Number(row.sent_at);
  return message;
}

export function outboxCounts(rows: { status: OutboxStatus; n: number | string }[]): Record<OutboxStatus, number> {
  const counts: Record<OutboxStatus, number> = { pending: 0, sent: 0, failed: 0 };
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

/** Error texts from SMTP servers can be long; the console needs the gist. */
export const MAX_ERROR_LENGTH = 500;
