/**
 * Storage of the audit log: append-only and hash-chained. A backend assigns sequence
 * numbers and seals records (core/audit/record-hash.ts) inside the transaction that
 * appends them, serialising appenders, so the chain stays one line however many
 * instances write. Pruning removes a prefix of the chain and keeps its last record's
 * hash as the anchor, so what remains still verifies.
 */
import type { AuditEvent, AuditFilter, AuditRecord, ChainPoint, ChainRecord } from '../audit/audit-event.js';

export interface AuditRepository {
  /** Appends events in order after the current head, atomically; returns the new head. */
  appendAuditEvents(events: readonly AuditEvent[]): Promise<ChainPoint>;
  /** Matching records, newest first, with sequence below `before` (a cursor) when given. */
  queryAuditEvents(filter: AuditFilter, page: { before?: number; limit: number }): Promise<AuditRecord[]>;
  /** Up to `limit` records in chain order, from the one after `afterSequence`, each with its searched columns as stored. */
  readAuditChain(afterSequence: number, limit: number): Promise<ChainRecord[]>;
  /** The anchor (last pruned record, or genesis) and the head (newest record, or the anchor). */
  auditChainState(): Promise<{ anchor: ChainPoint; head: ChainPoint }>;
  /**
   * Deletes the oldest records, up to the first one at or after `before` (epoch ms), so
   * that what remains is a contiguous chain; moves the anchor. Returns how many.
   */
  pruneAuditEvents(before: number): Promise<number>;
}
