/** The schemas of claim mappings and user attributes, shared by the configuration file and the management API. */
import { z } from 'zod';
import { claimMappingProblem } from '../tokens/claim-mapping.js';
import { attributesProblem } from './attributes-limit.js';

/** `claims: { roles: user.roles, tenant: user.attributes.tenant }`: checked name by name. */
export const claimMappingSchema = z.record(z.string(), z.string()).superRefine((mapping, ctx) => {
  for (const [name, expression] of Object.entries(mapping)) {
    const problem = claimMappingProblem(name, expression);
    if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
  }
});

/** A user's attributes: a JSON object of at most MAX_ATTRIBUTES_BYTES (attributes-limit.ts). */
export const attributesSchema = z.record(z.string(), z.unknown()).superRefine((attributes, ctx) => {
  const problem = attributesProblem(attributes);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
