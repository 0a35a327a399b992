/**
 * The size limit of a user's attributes, checked by the configuration schemas and by
 * upstream sign-in (which maps a provider's claims into attributes). Kept apart from the
 * zod schemas so the sign-in path does not load them.
 */
export const MAX_ATTRIBUTES_BYTES = 8192;

/** Why these attributes are too large, or undefined when they fit. */
export function attributesProblem(attributes: Record<string, unknown>): string | undefined {
  const size = Buffer.byteLength(JSON.stringify(attributes), 'utf8');
  return size > MAX_ATTRIBUTES_BYTES ? `attributes are ${size} bytes of JSON; at most ${MAX_ATTRIBUTES_BYTES} are allowed` : undefined;
}
