/**
 * Server settings, resolved once at start from (highest first) command-line flags,
 * the environment, the `server:` section of the config file, and defaults. Each
 * setting's flag, variable, key and bounds are declared in setting-declarations.ts;
 * this file turns them into the shape the server uses (milliseconds, nested groups).
 */
import { resolve } from 'node:path';
import type { ConfigFile } from '../core/config/schema.js';
import { ConfigError } from '../core/errors.js';
import type { MfaSetting } from '../core/mfa/mfa-policy.js';
import type { RelyingPartyOverrides } from '../core/mfa/relying-party.js';
import { proxyMatcher, type TrustProxy } from '../http/client-address.js';
import { resolveWorkers } from './cluster/worker-count.js';
import { resolveEmailSettings, type EmailSettings } from './email-settings.js';
import { SERVER_SETTINGS, type SettingName } from './setting-declarations.js';
import { readSetting, type SettingSources } from './setting-reader.js';
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
  /** Deprecated environment variable names that were read, to print at start. */
  warnings?: string[];
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

export function resolveSettings({ flags, env, server, registration }: SettingsInput): ServerSettings {
  const warnings: string[] = [];
  const sources: SettingSources = { flags, env, server, warnings };
  const read = <T>(name: SettingName): T | undefined => readSetting<T>(SERVER_SETTINGS[name], sources);
  const ms = (seconds: number) => Math.round(seconds * 1000);
  const settings: ServerSettings = {
    host: read<string>('host') ?? SERVER_SETTINGS.host.default,
    port: read<number>('port') ?? SERVER_SETTINGS.port.default,
    dataDir: resolve(read<string>('dataDir') ?? SERVER_SETTINGS.dataDir.default),
    auditRetentionDays: read<number>('auditRetentionDays') ?? SERVER_SETTINGS.auditRetentionDays.default,
    shutdownTimeoutMs: ms(read<number>('shutdownTimeout') ?? SERVER_SETTINGS.shutdownTimeout.default),
    cacheTtlSeconds: read<number>('cacheTtl') ?? SERVER_SETTINGS.cacheTtl.default,
    refreshTokenReuseGrace: read<number>('refreshTokenReuseGrace') ?? SERVER_SETTINGS.refreshTokenReuseGrace.default,
    clientAssertions: {
      maxLifetime: read<number>('clientAssertionMaxLifetime') ?? SERVER_SETTINGS.clientAssertionMaxLifetime.default,
      audience: read<ServerSettings['clientAssertions']['audience']>('clientAssertionAudience') ?? SERVER_SETTINGS.clientAssertionAudience.default,
    },
    pushedRequests: {
      ttl: read<number>('pushedAuthorizationRequestTtl') ?? SERVER_SETTINGS.pushedAuthorizationRequestTtl.default,
      required: read<boolean>('requirePushedAuthorizationRequests') ?? SERVER_SETTINGS.requirePushedAuthorizationRequests.default,
    },
    deviceFlow: {
      codeTtl: read<number>('deviceCodeTtl') ?? SERVER_SETTINGS.deviceCodeTtl.default,
      interval: read<number>('devicePollInterval') ?? SERVER_SETTINGS.devicePollInterval.default,
    },
    dpop: {
      iatWindow: read<number>('dpopIatWindow') ?? SERVER_SETTINGS.dpopIatWindow.default,
      nonce: read<boolean>('dpopNonce') ?? SERVER_SETTINGS.dpopNonce.default,
    },
    database: {
      poolSize: read<number>('databasePoolSize') ?? SERVER_SETTINGS.databasePoolSize.default,
      connectTimeoutMs: ms(read<number>('databaseConnectTimeout') ?? SERVER_SETTINGS.databaseConnectTimeout.default),
      statementTimeoutMs: ms(read<number>('databaseStatementTimeout') ?? SERVER_SETTINGS.databaseStatementTimeout.default),
      idleTimeoutMs: ms(read<number>('databaseIdleTimeout') ?? SERVER_SETTINGS.databaseIdleTimeout.default),
    },
    redisPrefix: read<string>('redisPrefix') ?? SERVER_SETTINGS.redisPrefix.default,
    // "auto" and the production default depend on this machine's cores: worker-count.ts.
    workers: resolveWorkers({ env, setting: read<number | 'auto'>('workers') }),
    email: resolveEmailSettings(env, server?.email),
    mfa: { required: read<MfaSetting['required']>('mfaRequired') ?? SERVER_SETTINGS.mfaRequired.default, roles: read<string[]>('mfaRoles') ?? [] },
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
  const schema = read<string>('databaseSchema');
  if (schema !== undefined) settings.database.schema = schema;
  const trustProxy = read<TrustProxy>('trustProxy');
  if (trustProxy !== undefined) {
    try {
      proxyMatcher(trustProxy);
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
    settings.trustProxy = trustProxy;
  }
  const redisUrl = read<string>('redisUrl');
  if (redisUrl !== undefined) settings.redisUrl = redisUrl;
  const issuer = read<string>('issuer');
  if (issuer !== undefined) settings.issuer = issuer;
  const databaseUrl = read<string>('databaseUrl');
  if (databaseUrl !== undefined) settings.databaseUrl = databaseUrl;
  const configFile = read<string>('configFile');
  if (configFile !== undefined) settings.configFile = resolve(configFile);
  if (warnings.length > 0) settings.warnings = warnings;
  return settings;
}
