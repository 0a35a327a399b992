/**
 * The server settings from flags, environment and the configuration file's `server:` and
 * `registration:` sections, without opening anything: what a `start --workers` primary
 * needs, kept apart from open-engine.ts so that reading them loads no engine, store or
 * HTTP module.
 */
import { readFileSync } from 'node:fs';
import type { ZodType } from 'zod';
import type { ConfigFile } from '../core/config/schema.js';
import { ConfigError } from '../core/errors.js';
import { resolveSettings, type ServerSettings } from '../server/settings.js';

export interface Flags {
  host?: string;
  port?: number;
  issuer?: string;
  data?: string;
  config?: string;
  workers?: string;
}

export function readConfigText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * The `server:` and `registration:` sections are needed before the store is open (they
 * name the port, the issuer, the registration policy); the whole file is validated again
 * when it is applied. The YAML parser and the schemas load only when there is a file,
 * and the file is parsed once for both.
 */
async function startSections(text: string, source: string): Promise<Pick<ConfigFile, 'server' | 'registration'>> {
  const [{ parse: parseYaml }, { serverSchema }, { registrationSchema }] = await Promise.all([
    import('yaml'),
    import('../core/config/schema.js'),
    import('../core/config/registration-schema.js'),
  ]);
  let raw: { server?: unknown; registration?: unknown } | null;
  try {
    raw = parseYaml(text) as typeof raw;
  } catch {
    return {}; // reported properly by parseConfigText when the file is applied
  }
  const server = checked(serverSchema, raw?.server ?? {}, `${source}: server`);
  if (raw?.registration === undefined) return { server };
  return { server, registration: checked(registrationSchema, raw.registration, `${source}: registration`) };
}

/** A section parsed by its schema, or a ConfigError naming the first bad field. */
function checked<T>(schema: ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ConfigError(`${where}${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'}`);
}

/** The settings alone, without opening anything (what a `start --workers` primary needs). */
export async function readSettings(flags: Flags, env: NodeJS.ProcessEnv = process.env): Promise<{ settings: ServerSettings; configText?: string }> {
  const configText = flags.config !== undefined ? readConfigText(flags.config) : undefined;
  const { server, registration } = configText !== undefined ? await startSections(configText, flags.config!) : {};
  const settings = resolveSettings({ flags, env, ...(server ? { server } : {}), ...(registration ? { registration } : {}) });
  return configText !== undefined ? { settings, configText } : { settings };
}
