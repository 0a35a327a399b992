/**
 * Cursor pagination for list endpoints. The cursor is the sort key of the last item
 * returned, opaque to clients (base64url), so pages stay stable when items are added
 * before them.
 */
import { z } from 'zod';
import { badField } from './problem.js';

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('items per page, 1 to 200'),
  cursor: z.string().optional().describe('the nextCursor of the previous page'),
});

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().optional() });
}

export function paginate<T>(all: T[], keyOf: (item: T) => string, query: { limit: number; cursor?: string | undefined }): Page<T> {
  let after: string | undefined;
  if (query.cursor !== undefined) {
    after = Buffer.from(query.cursor, 'base64url').toString('utf8');
    if (!after) throw badField('query.cursor', 'not a cursor from this API');
  }
  const sorted = [...all].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const start = after === undefined ? 0 : sorted.findIndex((item) => keyOf(item) > after);
  const items = start < 0 ? [] : sorted.slice(start, start + query.limit);
  const last = items.at(-1);
  const more = start >= 0 && start + query.limit < sorted.length;
  return more && last !== undefined ? { items, nextCursor: Buffer.from(keyOf(last), 'utf8').toString('base64url') } : { items };
}
