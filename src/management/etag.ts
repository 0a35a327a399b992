/**
 * Optimistic concurrency: a resource's ETag is a hash of its representation. An
 * update carrying If-Match applies only if nobody changed the resource since it was
 * read (else 412); an update without If-Match is last-write-wins.
 */
import { createHash } from 'node:crypto';
import { ManagementProblem } from './problem.js';

export function etagOf(representation: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(representation)).digest('base64url').slice(0, 22)}"`;
}

export function checkIfMatch(current: unknown, ifMatch: string | undefined): void {
  if (ifMatch === undefined || ifMatch === '*') return;
  const tags = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (!tags.includes(etagOf(current))) {
    throw new ManagementProblem(412, 'precondition_failed', 'the resource changed since you read it (If-Match does not match); read it again');
  }
}
