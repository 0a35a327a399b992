/** The shape of a resource server's report of the API calls it served (api-calls.ts). */
import { z } from 'zod';

export const MAX_REPORTED_CALLS = 100;

const id = z.string().min(1).max(200);
const callSchema = z.strictObject({
  method: z.string().regex(/^[A-Z]{1,16}$/),
  path: z.string().min(1).max(2000),
  status: z.number().int().min(100).max(599),
  tokenId: id.optional(),
  subject: id.optional(),
  clientId: id.optional(),
  api: id.optional(),
  scopes: z.union([z.string().max(2000), z.array(z.string().max(200)).max(100)]).optional(),
  durationMs: z.number().min(0).max(3_600_000).optional(),
  calledAt: z.number().int().optional(),
});
export const reportSchema = z.array(callSchema).min(1).max(MAX_REPORTED_CALLS);
