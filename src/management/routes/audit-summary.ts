/**
 * /audit-events/summary: the audit log counted per hour or day, for the console's
 * charts: tokens issued, failures (any event with outcome failure), sign-ins and failed
 * sign-ins. Counted from the records themselves, so it agrees with /audit-events; at
 * most SCAN_LIMIT records are read, and `complete` says whether that covered the range.
 */
import { z } from 'zod';
import type { AuditEventType, AuditRecord } from '../../core/audit/audit-event.js';
import { badField } from '../problem.js';
import { route } from '../route.js';

const SCAN_LIMIT = 200_000;
const BUCKET_MS = { hour: 3_600_000, day: 86_400_000 } as const;
const MAX_BUCKETS = { hour: 24 * 31, day: 366 } as const;
const ISSUING: readonly AuditEventType[] = ['token.issued', 'token.refreshed', 'token.exchanged'];

const instant = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'expected an ISO 8601 date-time')
  .transform((v) => Date.parse(v))
  .optional();

const counts = {
  tokensIssued: z.number().int().describe('token.issued, token.refreshed and token.exchanged that succeeded'),
  failures: z.number().int().describe('events of any type with outcome failure'),
  signIns: z.number().int().describe('signin.succeeded'),
  signInFailures: z.number().int().describe('signin.failed'),
};
type Counts = { [K in keyof typeof counts]: number };

const summaryOut = z.object({
  from: z.number().int().describe('epoch milliseconds, inclusive: the start of the first bucket'),
  to: z.number().int().describe('epoch milliseconds, exclusive'),
  bucket: z.enum(['hour', 'day']),
  buckets: z.array(z.object({ start: z.number().int().describe('epoch milliseconds'), ...counts })),
  totals: z.object(counts),
  scanned: z.number().int().describe('audit records read'),
  complete: z.boolean().describe('false when the range held more records than are counted at once'),
});

function count(into: Counts, record: AuditRecord): void {
  if (record.outcome === 'failure') into.failures++;
  if (record.outcome === 'success' && ISSUING.includes(record.type)) into.tokensIssued++;
  if (record.type === 'signin.succeeded') into.signIns++;
  if (record.type === 'signin.failed') into.signInFailures++;
}

const zero = (): Counts => ({ tokensIssued: 0, failures: 0, signIns: 0, signInFailures: 0 });

export const auditSummaryRoutes = [
  route({
    method: 'GET',
    path: '/audit-events/summary',
    tag: 'Audit',
    summary: 'Tokens issued, failures and sign-ins per hour or day, counted from the audit log',
    scope: 'read:audit',
    status: 200,
    query: z.object({
      from: instant.describe('ISO 8601, inclusive (rounded down to the bucket); default: 24 hours (hour) or 30 days (day) before `to`'),
      to: instant.describe('ISO 8601, exclusive; default: now'),
      bucket: z.enum(['hour', 'day']).default('hour'),
    }),
    response: summaryOut,
    async handler(engine, { query }) {
      const size = BUCKET_MS[query.bucket];
      const to = query.to ?? engine.clock.now() * 1000;
      // By default the last 24 hours or 30 days: that many buckets, the newest one holding `to`.
      const wanted = query.from ?? Math.floor(to / size) * size - ((query.bucket === 'hour' ? 24 : 30) - 1) * size;
      const from = Math.floor(wanted / size) * size;
      if (from >= to) throw badField('query.from', 'must be before to');
      const n = Math.ceil((to - from) / size);
      if (n > MAX_BUCKETS[query.bucket]) throw badField('query.from', `at most ${MAX_BUCKETS[query.bucket]} ${query.bucket}s at once`);
      const buckets = Array.from({ length: n }, (_, i) => ({ start: from + i * size, ...zero() }));
      const totals = zero();
      let scanned = 0;
      let cursor: string | undefined;
      do {
        const page = await engine.audit.query({ from, to, limit: 1000, ...(cursor ? { cursor } : {}) });
        for (const record of page.events) {
          const bucket = buckets[Math.floor((record.at - from) / size)];
          if (bucket) count(bucket, record);
          count(totals, record);
        }
        scanned += page.events.length;
        cursor = page.nextCursor;
      } while (cursor && scanned < SCAN_LIMIT);
      return { body: { from, to, bucket: query.bucket, buckets, totals, scanned, complete: cursor === undefined } };
    },
  }),
];
