/**
 * The seal of an audit record: SHA-256 over the canonical encoding of its sequence
 * number, the previous record's hash, and the event (time included). Changing any
 * field changes the hash; removing or reordering records breaks the link to the
 * previous hash.
 *
 * The event's canonical encoding is also what the stores keep as the record's
 * document, so appending serialises each event once: the sealed text is assembled
 * around that document instead of encoding the event a second time. It is the same
 * byte sequence as canonicalJson({ sequence, prevHash, event }) (keys sorted:
 * "event" < "prevHash" < "sequence"), so chains written before this stay verifiable.
 */
import { hash } from 'node:crypto';
import type { AuditEvent, AuditRecord, ChainPoint } from './audit-event.js';
import { canonicalEventJson } from './canonical-event-json.js';

/** Where every chain starts: sequence 0, a hash of zeros. */
export const GENESIS: ChainPoint = { sequence: 0, hash: '0'.repeat(64) };

/** A record as a store appends it: its place in the chain, its seal, and its document (the canonical JSON of its event). */
export interface SealedRecord {
  sequence: number;
  prevHash: string;
  hash: string;
  doc: string;
  event: AuditEvent;
}

/** The event's fields without the chain's own (sequence, prevHash, hash), canonically encoded. */
export function eventDocument(event: AuditEvent): string {
  // An event being appended has none of them: skip the copy (this runs once per record).
  if (!('sequence' in event) && !('prevHash' in event) && !('hash' in event)) return canonicalEventJson(event);
  const { sequence: _s, prevHash: _p, hash: _h, ...fields } = event as AuditRecord;
  return canonicalEventJson(fields);
}

function sealOf(doc: string, sequence: number, prevHash: string): string {
  // Concatenated rather than a template literal: one flat string hashes faster.
  return hash('sha256', `{"event":${doc},"prevHash":${JSON.stringify(prevHash)},"sequence":${JSON.stringify(sequence)}}`, 'hex');
}

export function recordHash(event: AuditEvent, sequence: number, prevHash: string): string {
  return sealOf(eventDocument(event), sequence, prevHash);
}

/** Seals `events` after `head`, in order: what a store appends in one transaction. */
export function sealRecords(head: ChainPoint, events: readonly AuditEvent[]): SealedRecord[] {
  const sealed: SealedRecord[] = [];
  let previous = head;
  for (const event of events) {
    const sequence = previous.sequence + 1;
    const doc = eventDocument(event);
    const record = { sequence, prevHash: previous.hash, hash: sealOf(doc, sequence, previous.hash), doc, event };
    sealed.push(record);
    previous = record;
  }
  return sealed;
}

/** The chain's new head once `sealed` is appended after `head`. */
export function headAfter(head: ChainPoint, sealed: readonly SealedRecord[]): ChainPoint {
  const last = sealed[sealed.length - 1];
  return last ? { sequence: last.sequence, hash: last.hash } : head;
}

/** The records `events` become after `head`, as a store reads them back. */
export function chainRecords(head: ChainPoint, events: readonly AuditEvent[]): AuditRecord[] {
  return sealRecords(head, events).map(({ sequence, prevHash, hash: seal, event }) => ({ ...event, sequence, prevHash, hash: seal }));
}
