/** /audit-events: the audit log, newest first, filtered and paginated. */
import { z } from 'zod';
import { AUDIT_EVENT_TYPES } from '../../core/audit/audit-event.js';
import { route } from '../route.js';

const instant = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'expected an ISO 8601 date-time')
  .transform((v) => Date.parse(v))
  .optional();

const auditRecordOut = z.looseObject({
  sequence: z.number().int(),
  type: z.enum(AUDIT_EVENT_TYPES),
  outcome: z.enum(['success', 'failure']),
  at: z.number().int().describe('epoch milliseconds'),
  actor: z.object({ type: z.string(), id: z.string() }).optional(),
  subject: z.string().optional(),
  clientId: z.string().optional(),
  prevHash: z.string(),
  hash: z.string(),
});

export const auditRoutes = [
  route({
    method: 'GET',
    path: '/audit-events',
    tag: 'Audit',
    summary: 'Query the audit log (newest first)',
    scope: 'read:audit',
    status: 200,
    query: z.object({
      from: instant.describe('ISO 8601, inclusive'),
      to: instant.describe('ISO 8601, exclusive'),
      actorId: z.string().optional(),
      subject: z.string().optional(),
      clientId: z.string().optional(),
      type: z.enum(AUDIT_EVENT_TYPES).optional(),
      outcome: z.enum(['success', 'failure']).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      cursor: z.string().optional(),
    }),
    response: z.object({ items: z.array(auditRecordOut), nextCursor: z.string().optional() }),
    async handler(engine, { query }) {
      const filter = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as Parameters<typeof engine.audit.query>[0];
      const page = await engine.audit.query(filter);
      const items = page.events as unknown as z.infer<typeof auditRecordOut>[];
      return { body: { items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) } };
    },
  }),
];
