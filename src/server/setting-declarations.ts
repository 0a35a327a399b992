/**
 * Every server setting, declared once: its `tessera start` flag, its environment
 * variable (and the older names still read), its key under `server:` in the config file,
 * its type and bounds, its default and what it does. Parsing (settings.ts, through
 * setting-reader.ts), `tessera start --help` and the settings table of
 * docs/configuration.md (settings-reference.ts) are derived from this list; a new
 * setting is one entry here.
 *
 * A setting with a config key takes its type, bounds and description from that key's
 * zod schema (core/config/schema.ts), so the file, the environment and the flag accept
 * the same values. One without gives them here.
 *
 * Environment variables are named TESSERA_ and the setting's name in upper snake case;
 * for a setting of the config file, its key (server.database.poolSize →
 * TESSERA_DATABASE_POOL_SIZE). The mail settings keep the SMTP names of docs/email.md.
 * Names that broke the rule are `formerly`: still read, with a deprecation warning.
 *
 * A `server:` key that has an environment variable or a flag belongs here; after a change,
 * `npm run docs` regenerates the docs (a test fails until it is run).
 */
import { z } from 'zod';
import { DEFAULT_PUSHED_REQUEST_TTL } from '../core/authorize/pushed-requests.js';
import { POOL_DEFAULTS } from '../stores/pool-defaults.js';

export interface SettingDeclaration {
  /** The `tessera start` flag (`port` for `--port`) and the placeholder of its value in --help. */
  flag?: { name: string; value: string };
  env?: string;
  /** Older environment variable names, still read (after `env`) with a deprecation warning. */
  formerly?: readonly string[];
  /** The key under `server:` in the config file, dotted (`database.poolSize`). */
  config?: string;
  /** Type and bounds, for a setting without a config key (one with a key uses the key's schema). */
  schema?: z.ZodType;
  /** What it does, for a setting without a config key (one with a key uses the key's description). */
  description?: string;
  /** The unit of a number, for messages and the docs ("a whole number of seconds from 0 to 300"). */
  unit?: 'seconds' | 'days';
  default?: string | number | boolean | readonly string[];
  /** The default in words, when it is not one value ("http://HOST:PORT"). */
  defaultText?: string;
  /** How a flag's or variable's text becomes a value, when not by the type (lists, "auto"). */
  fromText?: (text: string) => unknown;
  /** What a good value looks like, in messages and the docs, when the type does not say it well. */
  expect?: string;
  /** Where the setting is read, when not in settings.ts: it is listed in --help and the docs only. */
  readIn?: string;
  /** A secret, or a URL that may hold one: an error message never repeats the value. */
  secret?: boolean;
}

/** `a, b` → ['a', 'b']: a comma-separated list in an environment variable. */
const commaList = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

export const SERVER_SETTINGS = {
  port: { flag: { name: 'port', value: 'N' }, env: 'TESSERA_PORT', config: 'port', default: 9000 },
  host: { flag: { name: 'host', value: 'ADDR' }, env: 'TESSERA_HOST', config: 'host', default: '127.0.0.1' },
  issuer: { flag: { name: 'issuer', value: 'URL' }, env: 'TESSERA_ISSUER', config: 'issuer', defaultText: 'http://HOST:PORT', expect: 'an absolute URL' },
  dataDir: {
    flag: { name: 'data', value: 'DIR' },
    env: 'TESSERA_DATA_DIR',
    schema: z.string().min(1),
    expect: 'a directory',
    description: 'data directory: the embedded SQLite store and the generated master key',
    default: '.tessera',
    defaultText: './.tessera',
  },
  configFile: {
    flag: { name: 'config', value: 'FILE' },
    schema: z.string().min(1),
    expect: 'a file',
    description: 'YAML or JSON configuration file, applied before serving (docs/configuration.md)',
  },
  workers: {
    flag: { name: 'workers', value: 'N|auto' },
    env: 'TESSERA_WORKERS',
    config: 'workers',
    fromText: (text: string) => (text === 'auto' ? 'auto' : strictNumber(text)),
    defaultText: '1; auto when NODE_ENV=production on a machine with several cores',
  },
  databaseUrl: {
    env: 'TESSERA_DATABASE_URL',
    secret: true,
    formerly: ['DATABASE_URL'],
    schema: z.string().regex(/^postgres(ql)?:\/\//),
    expect: 'a postgres:// or postgresql:// URL',
    description: 'PostgreSQL, instead of the embedded SQLite store',
    defaultText: 'embedded SQLite',
  },
  masterKey: {
    env: 'TESSERA_MASTER_KEY',
    secret: true,
    readIn: 'server/master-key-source.ts',
    description: 'the master key, 64 hex or 43 base64url characters (`openssl rand -hex 32`); required with PostgreSQL',
    defaultText: 'generated in the data directory',
  },
  masterKeyFile: { env: 'TESSERA_MASTER_KEY_FILE', readIn: 'server/master-key-source.ts', description: 'or a file holding the master key' },
  logLevel: {
    env: 'TESSERA_LOG_LEVEL',
    readIn: 'http/logger.ts',
    description: 'log level: fatal, error, warn, info, debug, trace or silent',
    default: 'info',
  },
  adminUsername: {
    env: 'TESSERA_ADMIN_USERNAME',
    readIn: 'management/bootstrap.ts',
    description: 'the first administrator, created at the first start when there is none',
    default: 'admin',
  },
  adminPassword: {
    env: 'TESSERA_ADMIN_PASSWORD',
    readIn: 'management/bootstrap.ts',
    description: "the first administrator's password",
    secret: true,
    defaultText: 'generated, printed once',
  },
  auditRetentionDays: { env: 'TESSERA_AUDIT_RETENTION_DAYS', config: 'auditRetentionDays', unit: 'days', default: 365 },
  shutdownTimeout: { env: 'TESSERA_SHUTDOWN_TIMEOUT', config: 'shutdownTimeout', unit: 'seconds', default: 10 },
  trustProxy: {
    env: 'TESSERA_TRUST_PROXY',
    config: 'trustProxy',
    fromText: (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : commaList(text)),
    expect: 'a comma-separated list of addresses, CIDR ranges, loopback or private; or a hop count',
    defaultText: 'none: forwarding headers ignored',
  },
  cacheTtl: { env: 'TESSERA_CACHE_TTL', config: 'cacheTtl', unit: 'seconds', default: 1 },
  databaseSchema: {
    env: 'TESSERA_DATABASE_SCHEMA',
    config: 'database.schema',
    expect: 'a lower-case PostgreSQL identifier',
    defaultText: "the server's search_path",
  },
  databasePoolSize: { env: 'TESSERA_DATABASE_POOL_SIZE', formerly: ['TESSERA_DB_POOL_SIZE'], config: 'database.poolSize', default: POOL_DEFAULTS.poolSize },
  databaseConnectTimeout: {
    env: 'TESSERA_DATABASE_CONNECT_TIMEOUT',
    formerly: ['TESSERA_DB_CONNECT_TIMEOUT'],
    config: 'database.connectTimeout',
    unit: 'seconds',
    default: POOL_DEFAULTS.connectTimeoutMs / 1000,
  },
  databaseStatementTimeout: {
    env: 'TESSERA_DATABASE_STATEMENT_TIMEOUT',
    formerly: ['TESSERA_DB_STATEMENT_TIMEOUT'],
    config: 'database.statementTimeout',
    unit: 'seconds',
    default: POOL_DEFAULTS.statementTimeoutMs / 1000,
  },
  databaseIdleTimeout: { env: 'TESSERA_DATABASE_IDLE_TIMEOUT', config: 'database.idleTimeout', unit: 'seconds', default: POOL_DEFAULTS.idleTimeoutMs / 1000 },
  redisUrl: {
    env: 'TESSERA_REDIS_URL',
    secret: true,
    formerly: ['REDIS_URL'],
    schema: z.string().regex(/^rediss?:\/\//),
    expect: 'a redis:// or rediss:// URL',
    description: 'Redis, to share the sign-in throttles and the change feed between instances',
    defaultText: 'none',
  },
  redisPrefix: {
    env: 'TESSERA_REDIS_PREFIX',
    schema: z.string().min(1),
    description: 'prefix of every Redis key and channel, so deployments can share a Redis',
    default: 'tessera:',
  },
  refreshTokenReuseGrace: { env: 'TESSERA_REFRESH_TOKEN_REUSE_GRACE', config: 'refreshTokenReuseGrace', unit: 'seconds', default: 10 },
  clientAssertionMaxLifetime: { env: 'TESSERA_CLIENT_ASSERTION_MAX_LIFETIME', config: 'clientAssertionMaxLifetime', unit: 'seconds', default: 3600 },
  clientAssertionAudience: { env: 'TESSERA_CLIENT_ASSERTION_AUDIENCE', config: 'clientAssertionAudience', default: 'issuer-or-endpoint' },
  requirePushedAuthorizationRequests: { config: 'requirePushedAuthorizationRequests', default: false },
  pushedAuthorizationRequestTtl: { config: 'pushedAuthorizationRequestTtl', unit: 'seconds', default: DEFAULT_PUSHED_REQUEST_TTL },
  mfaRequired: { env: 'TESSERA_MFA_REQUIRED', config: 'mfa.required', default: 'none' },
  mfaRoles: { config: 'mfa.roles', default: [] },
  deviceCodeTtl: { env: 'TESSERA_DEVICE_CODE_TTL', config: 'deviceCodeTtl', unit: 'seconds', default: 600 },
  devicePollInterval: { env: 'TESSERA_DEVICE_POLL_INTERVAL', config: 'devicePollInterval', unit: 'seconds', default: 5 },
  dpopIatWindow: { env: 'TESSERA_DPOP_IAT_WINDOW', config: 'dpopIatWindow', unit: 'seconds', default: 60 },
  dpopNonce: { env: 'TESSERA_DPOP_NONCE', config: 'dpopNonce', default: false },
  smtpUrl: {
    env: 'TESSERA_SMTP_URL',
    config: 'email.smtp',
    secret: true,
    expect: 'an smtp:// or smtps:// URL',
    defaultText: 'none: mail is written to the log (development)',
  },
  smtpHost: { env: 'TESSERA_SMTP_HOST', config: 'email.host' },
  smtpPort: { env: 'TESSERA_SMTP_PORT', config: 'email.port', expect: 'a port number' },
  smtpSecure: { env: 'TESSERA_SMTP_SECURE', config: 'email.secure' },
  smtpUser: { env: 'TESSERA_SMTP_USER', config: 'email.user' },
  smtpPassword: { env: 'TESSERA_SMTP_PASSWORD', config: 'email.password', secret: true },
  mailFrom: { env: 'TESSERA_MAIL_FROM', config: 'email.from' },
  signUp: { env: 'TESSERA_SIGNUP', config: 'email.signUp.enabled', default: false },
  signUpDomains: {
    env: 'TESSERA_SIGNUP_DOMAINS',
    config: 'email.signUp.domains',
    fromText: commaList,
    expect: 'a comma-separated list of domains',
    defaultText: 'any',
  },
} as const satisfies Record<string, SettingDeclaration>;

export type SettingName = keyof typeof SERVER_SETTINGS;

/** A number written as one ("10", "1.5", "-1"); anything else is NaN, so "0x10" or "1e3" is refused. */
export function strictNumber(text: string): number {
  return /^\s*-?\d+(\.\d+)?\s*$/.test(text) ? Number(text) : Number.NaN;
}
