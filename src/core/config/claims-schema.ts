/** The schemas of claim mappings and user attributes, shared by the configuration file and the management API. */
import { z } from 'zod';
import { claimMappingProblem } from '../tokens/claim-mapping.js';

/** `claims: { roles: user.roles, tenant: user.attributes.tenant }`: checked name by name. */
export const claimMappingSchema = z.record(z.string(), z.string()).superRefine((mapping, ctx) => {
  for (const [name, expression] of Object.entries(mapping)) {
    const problem = claimMappingProblem(name, expression);
    if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
  }
});

export const MAX_ATTRIBUTES_BYTES = 8192;

export function attributesProblem(attributes: Record<string, unknown>): string | undefined {
  const size = Buffer.byteLength(JSON.stringify(attributes), 'utf8');
  return size > MAX_ATTRIBUTES_BYTES ? `attributes are ${size} bytes of JSON; at most ${MAX_ATTRIBUTES_BYTES} are allowed` : undefined;
}

/** A user's attributes: a JSON object of at most MAX_ATTRIBUTES_BYTES. */
export const attributesSchema = z.record(z.string(), z.unknown()).superRefine((attributes, ctx) => {
  const problem = attributesProblem(attributes);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
