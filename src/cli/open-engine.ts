/**
 * What every verb that touches the data needs: settings, the store, the master key,
 * and the engine on top, plus the config file (if any) checked against the store.
 * The engine is built from the same options as the server's (server/engine-settings.ts),
 * so a command follows the settings `tessera start` does; it differs only in the issuer
 * (the one on record when none is given) and in leaving deliveries to a running server.
 */
import { AuthorizationServer } from '../core/authorization-server.js';
import type { ConfigFile } from '../core/config/schema.js';
import { bootstrapManagement } from '../management/bootstrap.js';
import { ADMIN_ROLE } from '../management/management-api.js';
import type { Store } from '../core/ports/storage.js';
import { engineOptionsFrom } from '../server/engine-settings.js';
import { loadMasterKey } from '../server/master-key-source.js';
import { openStore } from '../server/open-store.js';
import { openShared } from '../server/open-shared.js';
import type { ServerSettings } from '../server/settings.js';
import { type Flags, readSettings } from './read-settings.js';
import { mailNeeded } from '../server/email-settings.js';
import { mailOptions } from '../mail/mail-setup.js';

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
