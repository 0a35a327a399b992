/**
 * Server settings, resolved once at start from (highest first) command-line flags,
 * the environment, the `server:` section of the config file, and defaults.
 */
import { resolve } from 'node:path';
import type { ConfigFile } from '../core/config/schema.js';
import { DEFAULT_PUSHED_REQUEST_TTL } from '../core/authorize/pushed-requests.js';
import { ConfigError } from '../core/errors.js';
import type { MfaSetting } from '../core/mfa/mfa-policy.js';
import type { RelyingPartyOverrides } from '../core/mfa/relying-party.js';
import { proxyMatcher, type TrustProxy } from '../http/client-address.js';
import { POOL_DEFAULTS } from '../stores/pool-defaults.js';
import { resolveWorkers } from './cluster/worker-count.js';
import { resolveEmailSettings, type EmailSettings } from './email-settings.js';
import { REGISTRATION_DISABLED, type RegistrationPolicy } from '../core/registration/registration-policy.js';

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
  /** Proxies whose forwarding headers are believed; none by default. */
  trustProxy?: TrustProxy;
  /** In-process cache lifetime when no change message arrives, in seconds. */
  cacheTtlSeconds: number;
  /** The PostgreSQL schema and connection pool. */
  database: { schema?: string; poolSize: number; connectTimeoutMs: number; statementTimeoutMs: number; idleTimeoutMs: number };
  /** Seconds a rotated refresh token may be retried (RFC 9700 §4.14.2); 0 for none. */
  refreshTokenReuseGrace: number;
  /** private_key_jwt: longest assertion lifetime, and the audiences accepted. */
  clientAssertions: { maxLifetime: number; audience: 'issuer-or-endpoint' | 'issuer' };
  /** Pushed authorization requests (RFC 9126): request_uri lifetime in seconds, and whether every client must push. */
  pushedRequests: { ttl: number; required: boolean };
  /** The device flow (RFC 8628): device code lifetime and polling interval, in seconds. */
  deviceFlow: { codeTtl: number; interval: number };
  /** DPoP (RFC 9449): a proof's iat window in seconds, and whether server nonces are demanded. */
  dpop: { iatWindow: number; nonce: boolean };
  /** Redis, for shared throttles and the change feed. */
  redisUrl?: string;
  /** Prefix of every Redis key and channel, so deployments can share a Redis. */
  redisPrefix: string;
  /** Server processes on this machine (`start --workers`): 1 is a single process. */
  workers: number;
  /** SMTP, the sender and the mail flows (email-settings.ts). */
  email: EmailSettings;
  /** Who must sign in with a second factor (core/mfa/mfa-policy.ts). */
  mfa: MfaSetting;
  /** Passkeys' relying party, when it differs from the issuer's (core/mfa/relying-party.ts). */
  webauthn?: RelyingPartyOverrides;
  /** Client ID metadata documents; absent unless enabled. */
  clientIdMetadataDocuments?: ClientIdMetadataDocumentSettings;
  /** Dynamic client registration: the config file's `registration:` block (closed by default). */
  registration: RegistrationPolicy;
  /** OIDC Back-Channel Logout deliveries; absent when disabled. */
  backchannelLogout?: { allowPrivateAddresses: boolean; timeoutMs: number; retries: number };
}

export interface ClientIdMetadataDocumentSettings {
  permissions?: Record<string, string[]>;
  allowPrivateAddresses: boolean;
  caFile?: string;
  maxBytes: number;
  timeoutMs: number;
  cache: { minSeconds: number; maxSeconds: number };
}

export interface SettingsInput {
  flags: { host?: string; port?: number; issuer?: string; data?: string; config?: string; workers?: string };
  env: NodeJS.ProcessEnv;
  /** The `server:` section of the config file, if any. */
  server?: ConfigFile['server'];
  /** The `registration:` section of the config file, if any. */
  registration?: ConfigFile['registration'];
}

export const DEFAULT_PORT = 9000;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DATA_DIR = '.tessera';
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;
export const DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 10;
export const DEFAULT_CACHE_TTL_SECONDS = 1;
export const DEFAULT_REDIS_PREFIX = 'tessera:';
export const DEFAULT_REFRESH_TOKEN_REUSE_GRACE = 10;
export const DEFAULT_CLIENT_ASSERTION_MAX_LIFETIME = 3600;
export const DEFAULT_DEVICE_CODE_TTL = 600;
export const DEFAULT_DEVICE_POLL_INTERVAL = 5;
export const DEFAULT_DPOP_IAT_WINDOW = 60;

function numberFromEnv(env: NodeJS.ProcessEnv, name: string, valid: (n: number) => boolean, what: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!valid(value)) throw new ConfigError(`${name} must be ${what}, got ${text}`);
  return value;
}

export function resolveSettings({ flags, env, server, registration }: SettingsInput): ServerSettings {
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
    cacheTtlSeconds: DEFAULT_CACHE_TTL_SECONDS,
    refreshTokenReuseGrace:
      numberFromEnv(env, 'TESSERA_REFRESH_TOKEN_REUSE_GRACE', (n) => Number.isInteger(n) && n >= 0 && n <= 300, 'a whole number of seconds from 0 to 300') ??
      server?.refreshTokenReuseGrace ??
      DEFAULT_REFRESH_TOKEN_REUSE_GRACE,
    clientAssertions: {
      maxLifetime:
        numberFromEnv(env, 'TESSERA_CLIENT_ASSERTION_MAX_LIFETIME', (n) => Number.isInteger(n) && n >= 30 && n <= 86400, 'a whole number of seconds from 30 to 86400') ??
        server?.clientAssertionMaxLifetime ??
        DEFAULT_CLIENT_ASSERTION_MAX_LIFETIME,
      audience: assertionAudience(env.TESSERA_CLIENT_ASSERTION_AUDIENCE) ?? server?.clientAssertionAudience ?? 'issuer-or-endpoint',
    },
    pushedRequests: {
      ttl: server?.pushedAuthorizationRequestTtl ?? DEFAULT_PUSHED_REQUEST_TTL,
      required: server?.requirePushedAuthorizationRequests ?? false,
    },
    deviceFlow: {
      codeTtl:
        numberFromEnv(env, 'TESSERA_DEVICE_CODE_TTL', (n) => Number.isInteger(n) && n >= 60 && n <= 3600, 'a whole number of seconds from 60 to 3600') ??
        server?.deviceCodeTtl ??
        DEFAULT_DEVICE_CODE_TTL,
      interval:
        numberFromEnv(env, 'TESSERA_DEVICE_POLL_INTERVAL', (n) => Number.isInteger(n) && n >= 1 && n <= 60, 'a whole number of seconds from 1 to 60') ??
        server?.devicePollInterval ??
        DEFAULT_DEVICE_POLL_INTERVAL,
    },
    dpop: {
      iatWindow:
        numberFromEnv(env, 'TESSERA_DPOP_IAT_WINDOW', (n) => Number.isInteger(n) && n >= 5 && n <= 600, 'a whole number of seconds from 5 to 600') ??
        server?.dpopIatWindow ??
        DEFAULT_DPOP_IAT_WINDOW,
      nonce: env.TESSERA_DPOP_NONCE ? env.TESSERA_DPOP_NONCE === 'true' : (server?.dpopNonce ?? false),
    },
    database: { ...POOL_DEFAULTS },
    redisPrefix: env.TESSERA_REDIS_PREFIX || DEFAULT_REDIS_PREFIX,
    workers: resolveWorkers({ flag: flags.workers, env, config: server?.workers }),
    email: resolveEmailSettings(env, server?.email),
    mfa: { required: mfaRequired(env.TESSERA_MFA_REQUIRED) ?? server?.mfa?.required ?? 'none', roles: server?.mfa?.roles ?? [] },
    registration: registration ?? REGISTRATION_DISABLED,
    ...(server?.webauthn ? { webauthn: server.webauthn } : {}),
  };
  const bcl = server?.backchannelLogout;
  if (bcl?.enabled !== false) {
    settings.backchannelLogout = {
      allowPrivateAddresses: bcl?.allowPrivateAddresses ?? false,
      timeoutMs: Math.round((bcl?.timeout ?? 5) * 1000),
      retries: bcl?.retries ?? 3,
    };
  }
  const cimd = server?.clientIdMetadataDocuments;
  if (cimd?.enabled) {
    if (cimd.cacheMinSeconds > cimd.cacheMaxSeconds) throw new ConfigError('server.clientIdMetadataDocuments: cacheMinSeconds must not exceed cacheMaxSeconds');
    settings.clientIdMetadataDocuments = {
      ...(cimd.permissions ? { permissions: cimd.permissions } : {}),
      allowPrivateAddresses: cimd.allowPrivateAddresses,
      ...(cimd.caFile ? { caFile: resolve(cimd.caFile) } : {}),
      maxBytes: cimd.maxBytes,
      timeoutMs: Math.round(cimd.timeout * 1000),
      cache: { minSeconds: cimd.cacheMinSeconds, maxSeconds: cimd.cacheMaxSeconds },
    };
  }
  const seconds = (name: string, max: number) => numberFromEnv(env, name, (n) => Number.isFinite(n) && n >= 0 && n <= max, `a number of seconds from 0 to ${max}`);
  settings.cacheTtlSeconds = numberFromEnv(env, 'TESSERA_CACHE_TTL', (n) => n >= 0.1 && n <= 3600, 'a number of seconds from 0.1 to 3600') ?? server?.cacheTtl ?? DEFAULT_CACHE_TTL_SECONDS;
  const db = server?.database;
  const ms = (value: number | undefined, fallback: number) => (value === undefined ? fallback : Math.round(value * 1000));
  settings.database = {
    poolSize: numberFromEnv(env, 'TESSERA_DB_POOL_SIZE', (n) => Number.isInteger(n) && n >= 1 && n <= 1000, 'a whole number from 1 to 1000') ?? db?.poolSize ?? POOL_DEFAULTS.poolSize,
    connectTimeoutMs: ms(seconds('TESSERA_DB_CONNECT_TIMEOUT', 600) ?? db?.connectTimeout, POOL_DEFAULTS.connectTimeoutMs),
    statementTimeoutMs: ms(seconds('TESSERA_DB_STATEMENT_TIMEOUT', 3600) ?? db?.statementTimeout, POOL_DEFAULTS.statementTimeoutMs),
    idleTimeoutMs: ms(db?.idleTimeout, POOL_DEFAULTS.idleTimeoutMs),
  };
  const schema = env.TESSERA_DATABASE_SCHEMA || db?.schema;
  if (schema !== undefined) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new ConfigError(`TESSERA_DATABASE_SCHEMA must be a lower-case PostgreSQL identifier, got ${schema}`);
    settings.database.schema = schema;
  }
  const trustProxy = parseTrustProxy(env.TESSERA_TRUST_PROXY) ?? server?.trustProxy;
  if (trustProxy !== undefined) {
    try {
      proxyMatcher(trustProxy);
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
    settings.trustProxy = trustProxy;
  }
  if (env.REDIS_URL) {
    if (!/^rediss?:\/\//.test(env.REDIS_URL)) throw new ConfigError('REDIS_URL must start with redis:// or rediss://');
    settings.redisUrl = env.REDIS_URL;
  }
  const issuer = flags.issuer ?? env.TESSERA_ISSUER ?? server?.issuer;
  if (issuer !== undefined) settings.issuer = issuer;
  if (env.DATABASE_URL) settings.databaseUrl = env.DATABASE_URL;
  if (flags.config !== undefined) settings.configFile = resolve(flags.config);
  return settings;
}

function mfaRequired(text: string | undefined): MfaSetting['required'] | undefined {
  if (text === undefined || text === '') return undefined;
  if (text !== 'none' && text !== 'admins' && text !== 'everyone') throw new ConfigError(`TESSERA_MFA_REQUIRED must be none, admins or everyone, got ${text}`);
  return text;
}

function assertionAudience(text: string | undefined): ServerSettings['clientAssertions']['audience'] | undefined {
  if (text === undefined || text === '') return undefined;
  if (text !== 'issuer' && text !== 'issuer-or-endpoint') throw new ConfigError(`TESSERA_CLIENT_ASSERTION_AUDIENCE must be issuer or issuer-or-endpoint, got ${text}`);
  return text;
}

/** TESSERA_TRUST_PROXY: a hop count ("1") or a comma-separated list ("10.0.0.0/8,loopback"). */
function parseTrustProxy(text: string | undefined): TrustProxy | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}
