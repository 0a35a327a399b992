/**
 * Optimistic concurrency: a resource's ETag is a hash of its representation. An
 * update carrying If-Match applies only if nobody changed the resource since it was
 * read (else 412); an update without If-Match is last-write-wins. This check answers
 * early; the write itself is then a compare-and-set on what was read (the store's
 * replaceIf, see resource.ts), so a change in between is refused too.
 */
import { createHash } from 'node:crypto';
import { StaleWriteError } from '../core/errors.js';

export function etagOf(representation: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(representation)).digest('base64url').slice(0, 22)}"`;
}

/** Whether the request is conditional on a version (If-Match other than `*`). */
export const conditional = (ifMatch: string | undefined): ifMatch is string => ifMatch !== undefined && ifMatch !== '*';

export function checkIfMatch(current: unknown, ifMatch: string | undefined): void {
  if (!conditional(ifMatch)) return;
  const tags = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (!tags.includes(etagOf(current))) throw new StaleWriteError();
}
