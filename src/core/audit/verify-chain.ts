/**
 * Checks an audit chain from its anchor (the last pruned record, or genesis) to its
 * head: every record's hash must match its contents, link to the record before it,
 * and follow it by exactly one sequence number; the last must be the head. A changed
 * record fails its hash, a deleted one leaves a gap, a reordered one breaks a link,
 * and a removed tail no longer reaches the head.
 */
import { indexedColumns, type AuditRecord, type ChainPoint, type IndexedColumns } from './audit-event.js';
import { recordHash } from './record-hash.js';

export type ChainVerdict = { ok: true; count: number; head: ChainPoint } | { ok: false; brokenAt: number; reason: string; count: number };

/** The first searched column that disagrees with the record's document, if any. */
function columnAtOdds(record: AuditRecord, indexed: IndexedColumns): string | undefined {
  const sealed = indexedColumns(record);
  return (Object.keys(sealed) as (keyof IndexedColumns)[]).find((column) => sealed[column] !== indexed[column]);
}

type VerifiedRecord = AuditRecord & { indexed?: IndexedColumns };

export async function verifyChain(
  records: AsyncIterable<VerifiedRecord> | Iterable<VerifiedRecord>,
  anchor: ChainPoint,
  head: ChainPoint,
): Promise<ChainVerdict> {
  let previous = anchor;
  let count = 0;
  for await (const record of records) {
    if (record.sequence > head.sequence) break; // appended after verification began
    const broken = (reason: string): ChainVerdict => ({ ok: false, brokenAt: record.sequence, reason, count });
    if (record.sequence !== previous.sequence + 1) {
      return record.sequence > previous.sequence + 1
        ? { ok: false, brokenAt: previous.sequence + 1, reason: `record ${previous.sequence + 1} is missing (next found: ${record.sequence})`, count }
        : broken(`record ${record.sequence} is out of order (after ${previous.sequence})`);
    }
    if (record.prevHash !== previous.hash) return broken(`record ${record.sequence} does not link to record ${previous.sequence}`);
    const { indexed, ...event } = record;
    if (recordHash(event, record.sequence, record.prevHash) !== record.hash) return broken(`record ${record.sequence} was modified (hash mismatch)`);
    const column = indexed && columnAtOdds(record, indexed);
    if (column) return broken(`record ${record.sequence} was modified (its ${column} column no longer matches the sealed record)`);
    previous = record;
    count++;
  }
  if (previous.sequence !== head.sequence) {
    return {
      ok: false,
      brokenAt: previous.sequence + 1,
      reason: `the chain ends at ${previous.sequence} but its head is ${head.sequence}: records were removed`,
      count,
    };
  }
  if (previous.hash !== head.hash) return { ok: false, brokenAt: head.sequence, reason: `record ${head.sequence} does not match the chain head`, count };
  return { ok: true, count, head };
}
