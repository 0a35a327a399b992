/**
 * The server settings from flags, environment and the configuration file's `server:` and
 * `registration:` sections, without opening anything: what a `start --workers` primary
 * needs, kept apart from open-engine.ts so that reading them loads no engine, store or
 * HTTP module.
 */
import { readFileSync } from 'node:fs';
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
 * The `server:` section is needed before the store is open (it can name the port and
 * issuer). The YAML parser and the configuration schemas load only when there is a file.
 */
async function serverSection(text: string, source: string): Promise<ConfigFile['server']> {
  const [{ parse: parseYaml }, { serverSchema }] = await Promise.all([import('yaml'), import('../core/config/schema.js')]);
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch {
    return undefined; // reported properly by parseConfigText below
  }
  const result = serverSchema.safeParse((raw as { server?: unknown } | null)?.server ?? {});
  if (!result.success) throw new ConfigError(`${source}: server: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}

/** The `registration:` section, read at start like `server:` (validated again with the whole file). */
async function registrationSection(text: string, source: string): Promise<ConfigFile['registration']> {
  const [{ parse: parseYaml }, { registrationSchema }] = await Promise.all([import('yaml'), import('../core/config/registration-schema.js')]);
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch {
    return undefined;
  }
  const section = (raw as { registration?: unknown } | null)?.registration;
  if (section === undefined) return undefined;
  const result = registrationSchema.safeParse(section);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`${source}: registration${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** The settings alone, without opening anything (what a `start --workers` primary needs). */
export async function readSettings(flags: Flags, env: NodeJS.ProcessEnv = process.env): Promise<{ settings: ServerSettings; configText?: string }> {
  const configText = flags.config !== undefined ? readConfigText(flags.config) : undefined;
  const server = configText !== undefined ? await serverSection(configText, flags.config!) : undefined;
  const registration = configText !== undefined ? await registrationSection(configText, flags.config!) : undefined;
  const settings = resolveSettings({ flags, env, ...(server ? { server } : {}), ...(registration ? { registration } : {}) });
  return configText !== undefined ? { settings, configText } : { settings };
}
