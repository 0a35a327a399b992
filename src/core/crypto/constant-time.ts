/**
 * Comparison of secrets (CSRF tokens, form tokens, PKCE challenges, hashes) in time that
 * does not depend on where they differ. Only the lengths may leak, and those are public.
 */
import { timingSafeEqual } from 'node:crypto';

export function constantTimeEqual(a: string | Buffer | undefined, b: string | Buffer): boolean {
  if (a === undefined) return false;
  const x = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const y = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  return x.length === y.length && timingSafeEqual(x, y);
}
