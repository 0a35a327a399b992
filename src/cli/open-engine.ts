/**
 * What every verb that touches the data needs: settings, the store, the master key,
 * and the engine on top, plus the config file (if any) checked against the store.
 * The engine is built from the same options as the server's (server/engine-settings.ts),
 * so a command follows the settings `tessera start` does; it differs only in the issuer
 * (the one on record when none is given) and in leaving deliveries to a running server.
 */
import { readFileSync } from 'node:fs';
import { AuthorizationServer } from '../core/authorization-server.js';
import type { ConfigFile } from '../core/config/schema.js';
import { ConfigError } from '../core/errors.js';
import { bootstrapManagement } from '../management/bootstrap.js';
import { ADMIN_ROLE } from '../management/management-api.js';
import type { Store } from '../core/ports/storage.js';
import { engineOptionsFrom } from '../server/engine-settings.js';
import { loadMasterKey } from '../server/master-key-source.js';
import { openStore } from '../server/open-store.js';
import { openShared } from '../server/open-shared.js';
import { resolveSettings, type ServerSettings } from '../server/settings.js';
import { mailNeeded } from '../server/email-settings.js';
import { mailOptions } from '../mail/mail-setup.js';

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

export async function loadConfigAgainst(store: Store, text: string, source: string): Promise<ConfigFile> {
  const [apis, roles, providers] = await Promise.all([store.listApis(), store.listRoles(), store.listIdentityProviders()]);
  const { parseConfigText } = await import('../core/config/load.js');
  return parseConfigText(text, source, { apis, roles: roles.map((r) => r.name), identityProviders: providers.map((p) => p.id) });
}

export interface OpenedData {
  settings: ServerSettings;
  store: Store;
  masterKey: Buffer;
  warnings: string[];
  configText?: string;
}

/** The settings alone, without opening anything (what a `start --workers` primary needs). */
export async function readSettings(flags: Flags, env: NodeJS.ProcessEnv = process.env): Promise<{ settings: ServerSettings; configText?: string }> {
  const configText = flags.config !== undefined ? readConfigText(flags.config) : undefined;
  const server = configText !== undefined ? await serverSection(configText, flags.config!) : undefined;
  const registration = configText !== undefined ? await registrationSection(configText, flags.config!) : undefined;
  const settings = resolveSettings({ flags, env, ...(server ? { server } : {}), ...(registration ? { registration } : {}) });
  return configText !== undefined ? { settings, configText } : { settings };
}

export async function openData(flags: Flags, env: NodeJS.ProcessEnv = process.env): Promise<OpenedData> {
  const { settings, configText } = await readSettings(flags, env);
  const { schema, ...pool } = settings.database;
  const store = await openStore(
    settings.databaseUrl
      ? { databaseUrl: settings.databaseUrl, dataDir: settings.dataDir, pool, ...(schema ? { schema } : {}) }
      : { dataDir: settings.dataDir },
  );
  const master = loadMasterKey({ env, dataDir: settings.dataDir, shared: store.kind === 'postgres' });
  const warnings = [...(settings.warnings ?? []), ...(master.warning ? [master.warning] : [])];
  const opened: OpenedData = { settings, store, masterKey: master.key, warnings };
  if (configText !== undefined) opened.configText = configText;
  return opened;
}

/**
 * The issuer the server last started with, as the store records it: the audience the
 * tessera-admin role grants (`<issuer>/api/v1`). Without it, a command run without
 * --issuer next to a server started with another one would mint tokens the server
 * refuses, and re-point the admin role at the wrong management API.
 */
async function issuerOnRecord(store: Store): Promise<string | undefined> {
  const role = await store.getRole(ADMIN_ROLE);
  const audiences = Object.keys(role?.permissions ?? {}).filter((a) => a.endsWith('/api/v1'));
  return audiences.length === 1 ? audiences[0]!.slice(0, -'/api/v1'.length) : undefined;
}

export async function openEngine(flags: Flags, env: NodeJS.ProcessEnv = process.env) {
  const data = await openData(flags, env);
  try {
    await data.store.migrate();
    const issuer = data.settings.issuer ?? (await issuerOnRecord(data.store)) ?? `http://${data.settings.host}:${data.settings.port}`;
    const quiet = { info: () => {}, warn: (_fields: object, message: string) => void process.stderr.write(`warning: ${message}\n`) };
    // Changes made here are published, so running servers drop their cached copies at once.
    const shared = await openShared(data.settings, data.store, { listen: false });
    // Mail queued here (an invitation) waits in the outbox for a running server to send it.
    const email = data.settings.email;
    const mail = mailNeeded(email) ? await mailOptions(email, quiet) : undefined;
    // The same options as `tessera start` (engine-settings.ts), so a command follows the same settings.
    const options = engineOptionsFrom(data.settings, {
      store: data.store,
      masterKey: data.masterKey,
      shared,
      mail,
      warn: (message) => quiet.warn({}, message),
    });
    const engine = await AuthorizationServer.create({
      ...options,
      issuer,
      // Sessions ended here (tessera sessions revoke) are announced by a running server: the deliveries wait in its outbox.
      ...(options.backchannelLogout ? { backchannelLogout: { ...options.backchannelLogout, send: false } } : {}),
    }).catch(async (error: unknown) => {
      await shared.changes.close();
      throw error;
    });
    const bootstrap = await bootstrapManagement(engine, env);
    return { ...data, engine, bootstrap };
  } catch (error) {
    await data.store.close();
    throw error;
  }
}
