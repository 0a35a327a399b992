/**
 * The configuration file's JSON Schema, derived from the zod schema that validates it,
 * so editors can check and complete `tessera.yaml` as it is typed (yaml-language-server,
 * VS Code, JetBrains). It describes the file's input: durations as "15m" or seconds,
 * secrets in clear or hashed. Checks that zod runs in code (cross-field rules, such as a
 * client's redirect URIs for its grant types) are not in it; `tessera apply` still runs them.
 */
import { z } from 'zod';
import { configFileSchema } from './schema.js';

export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configFileSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, title: 'Tessera configuration file', ...rest };
}
