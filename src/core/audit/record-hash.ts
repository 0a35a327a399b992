/**
 * The seal of an audit record: SHA-256 over the canonical encoding of its sequence
 * number, the previous record's hash, and the event (time included). Changing any
 * field changes the hash; removing or reordering records breaks the link to the
 * previous hash.
 */
import { createHash } from 'node:crypto';
import type { AuditEvent, AuditRecord, ChainPoint } from './audit-event.js';
import { canonicalJson } from './canonical-json.js';

/** Where every chain starts: sequence 0, a hash of zeros. */
export const GENESIS: ChainPoint = { sequence: 0, hash: '0'.repeat(64) };

export function recordHash(event: AuditEvent, sequence: number, prevHash: string): string {
  const { sequence: _s, prevHash: _p, hash: _h, ...fields } = event as AuditRecord;
  return createHash('sha256').update(canonicalJson({ sequence, prevHash, event: fields })).digest('hex');
}

/** Seals `events` after `head`, in order: what a store appends in one transaction. */
export function chainRecords(head: ChainPoint, events: readonly AuditEvent[]): AuditRecord[] {
  let previous = head;
  return events.map((event) => {
    const sequence = previous.sequence + 1;
    const record: AuditRecord = { ...event, sequence, prevHash: previous.hash, hash: recordHash(event, sequence, previous.hash) };
    previous = record;
    return record;
  });
}
