/**
 * The audit tables both SQL stores share: a record's row, the filter of a query in
 * either dialect, and the columns an append writes. The event itself is kept as its
 * JSON document; the other columns exist to be searched. Verification reads the
 * searched columns too and checks them against the sealed document, so a column
 * changed behind Tessera's back (which would move a record between filters) is found.
 */
import { indexedColumns, type AuditEvent, type AuditFilter, type AuditRecord, type ChainRecord } from '../core/audit/audit-event.js';
import type { SealedRecord } from '../core/audit/record-hash.js';

export interface AuditRow {
  sequence: number;
  /** BIGINT: PostgreSQL's driver answers it as a string. */
  at: number | string;
  type: string;
  outcome: string;
  actor_id: string | null;
  subject: string | null;
  client_id: string | null;
  doc: string;
  prev_hash: string;
  hash: string;
}

export const AUDIT_COLUMNS = 'sequence, at, type, outcome, actor_id, subject, client_id, doc, prev_hash, hash';

export function auditFromRow(row: AuditRow): AuditRecord {
  return { ...(JSON.parse(row.doc) as AuditEvent), sequence: Number(row.sequence), prevHash: row.prev_hash, hash: row.hash };
}

/** A record read for verification: its document, and the searched columns as stored beside it. */
export function auditChainFromRow(row: AuditRow): ChainRecord {
  return {
    ...auditFromRow(row),
    indexed: { at: Number(row.at), type: row.type, outcome: row.outcome, actorId: row.actor_id, subject: row.subject, clientId: row.client_id },
  };
}

/** Column values of a sealed record, in AUDIT_COLUMNS order; the document is the one the seal covers. */
export function auditValues({ sequence, prevHash, hash, doc, event }: SealedRecord): unknown[] {
  const c = indexedColumns(event);
  return [sequence, c.at, c.type, c.outcome, c.actorId, c.subject, c.clientId, doc, prevHash, hash];
}

/** WHERE conditions for a query; `mark(n)` writes the n-th (1-based) placeholder. */
export function auditConditions(filter: AuditFilter, before: number | undefined, mark: (n: number) => string): { where: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    conditions.push(`${sql} ${mark(params.length)}`);
  };
  if (filter.from !== undefined) add('at >=', filter.from);
  if (filter.to !== undefined) add('at <', filter.to);
  if (filter.actorId !== undefined) add('actor_id =', filter.actorId);
  if (filter.subject !== undefined) add('subject =', filter.subject);
  if (filter.clientId !== undefined) add('client_id =', filter.clientId);
  if (filter.type !== undefined) add('type =', filter.type);
  if (filter.outcome !== undefined) add('outcome =', filter.outcome);
  if (before !== undefined) add('sequence <', before);
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}
