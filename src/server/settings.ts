/**
 * Server settings, resolved once at start from (highest first) command-line flags,
 * the environment, the `server:` section of the config file, and defaults.
 */
import { resolve } from 'node:path';
import type { ConfigFile } from '../core/config/schema.js';
import { ConfigError } from '../core/errors.js';

export interface ServerSettings {
  host: string;
  port: number;
  /** Undefined means "the address we listen on". */
  issuer?: string;
  dataDir: string;
  databaseUrl?: string;
  configFile?: string;
  /** Audit records older than this many days are pruned (daily, in process). */
  auditRetentionDays: number;
  /** On SIGTERM/SIGINT, how long requests in flight may take to finish, in milliseconds. */
  shutdownTimeoutMs: number;
}

export interface SettingsInput {
  flags: { host?: string; port?: number; issuer?: string; data?: string; config?: string };
  env: NodeJS.ProcessEnv;
  /** The `server:` section of the config file, if any. */
  server?: ConfigFile['server'];
}

export const DEFAULT_PORT = 9000;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DATA_DIR = '.tessera';
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;
export const DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 10;

function numberFromEnv(env: NodeJS.ProcessEnv, name: string, valid: (n: number) => boolean, what: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!valid(value)) throw new ConfigError(`${name} must be ${what}, got ${text}`);
  return value;
}

export function resolveSettings({ flags, env, server }: SettingsInput): ServerSettings {
  const envPort = env.TESSERA_PORT !== undefined ? Number(env.TESSERA_PORT) : undefined;
  if (envPort !== undefined && !(Number.isInteger(envPort) && envPort >= 0 && envPort <= 65535)) {
    throw new ConfigError(`TESSERA_PORT must be a number from 0 to 65535, got ${env.TESSERA_PORT}`);
  }
  const settings: ServerSettings = {
    host: flags.host ?? env.TESSERA_HOST ?? server?.host ?? DEFAULT_HOST,
    port: flags.port ?? envPort ?? server?.port ?? DEFAULT_PORT,
    dataDir: resolve(flags.data ?? env.TESSERA_DATA_DIR ?? DEFAULT_DATA_DIR),
    auditRetentionDays:
      numberFromEnv(env, 'TESSERA_AUDIT_RETENTION_DAYS', (n) => Number.isInteger(n) && n >= 1, 'a whole number of days, at least 1') ??
      server?.auditRetentionDays ??
      DEFAULT_AUDIT_RETENTION_DAYS,
    shutdownTimeoutMs:
      1000 *
      (numberFromEnv(env, 'TESSERA_SHUTDOWN_TIMEOUT', (n) => Number.isFinite(n) && n >= 0 && n <= 3600, 'a number of seconds from 0 to 3600') ??
        server?.shutdownTimeout ??
        DEFAULT_SHUTDOWN_TIMEOUT_SECONDS),
  };
  const issuer = flags.issuer ?? env.TESSERA_ISSUER ?? server?.issuer;
  if (issuer !== undefined) settings.issuer = issuer;
  if (env.DATABASE_URL) settings.databaseUrl = env.DATABASE_URL;
  if (flags.config !== undefined) settings.configFile = resolve(flags.config);
  return settings;
}
