/**
 * Starts a real Tessera HTTP server on a loopback port for black-box tests, with a
 * fresh store, a random master key and (optionally) a frozen clock. It starts through
 * src/server/tessera-server.ts, as `tessera start` does.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { AuthorizationServer, AuthorizationServerOptions } from '../../src/core/authorization-server.js';
import type { Clock } from '../../src/core/clock.js';
import { validateConfig } from '../../src/core/config/load.js';
import type { TrustProxy } from '../../src/http/client-address.js';
import { bootstrapManagement } from '../../src/management/bootstrap.js';
import { pageViews } from '../../src/pages/page-views.js';
import { startServer } from '../../src/server/tessera-server.js';
import { createTestStore } from './test-store.js';
import type { MailOptions } from '../../src/core/mail/mail-context.js';
import type { Store } from '../../src/core/ports/storage.js';

export interface TestServer {
  url: string;
  engine: AuthorizationServer;
  close(): Promise<void>;
  /** POST a form to a path; returns status, headers and parsed JSON (if any). */
  post(path: string, form: Record<string, string | string[]>, headers?: Record<string, string>): Promise<TestResponse>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export function basic(clientId: string, secret: string): Record<string, string> {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return { authorization: `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}` };
}

export async function startTestServer(
  options: {
    config?: unknown;
    clock?: Clock;
    /** Collects every log line (at info level). */
    logs?: string[];
    refreshTokens?: AuthorizationServerOptions['refreshTokens'];
    clientAssertions?: AuthorizationServerOptions['clientAssertions'];
    deviceFlow?: AuthorizationServerOptions['deviceFlow'];
    /** Proxies whose forwarding headers are believed (none by default, as in production). */
    trustProxy?: TrustProxy;
    /** Mail settings; the outbox worker runs when given. */
    mail?: MailOptions;
    /** The store to use instead of a fresh one (kept open on close, for restart tests). */
    store?: Store;
    masterKey?: Buffer;
    pushedRequests?: AuthorizationServerOptions['pushedRequests'];
    /** Who must sign in with a second factor (none by default). */
    mfa?: AuthorizationServerOptions['mfa'];
    /** Client ID metadata documents (off without it). */
    clientMetadataDocuments?: AuthorizationServerOptions['clientMetadataDocuments'];
    /** Dynamic client registration, e.g. `registrationPolicy({ enabled: true })`. */
    registration?: AuthorizationServerOptions['registration'];
    /** DPoP replay cache, iat window and nonces. */
    dpop?: AuthorizationServerOptions['dpop'];
    /** OIDC Back-Channel Logout: the transport that POSTs logout tokens (off without it). */
    backchannelLogout?: AuthorizationServerOptions['backchannelLogout'];
    /** The issuer's host instead of 127.0.0.1, e.g. `localhost`: browsers offer passkeys to a domain, never to an IP address. */
    issuerHost?: string;
  } = {},
): Promise<TestServer> {
  const { store, dispose } = options.store ? { store: options.store, dispose: async () => {} } : await createTestStore();
  const logs = options.logs;
  const logger = logs ? pino({ level: 'info' }, { write: (line: string) => void logs.push(line) }) : pino({ level: process.env.TESSERA_LOG_LEVEL ?? 'silent' });
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    logger,
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
    engine: {
      ...(options.issuerHost ? { issuer: (url: string) => url.replace('//127.0.0.1:', `//${options.issuerHost}:`) } : {}),
      store,
      masterKey: options.masterKey ?? randomBytes(32),
      views: pageViews,
      ...(options.mail ? { mail: options.mail } : {}),
      ...(options.registration ? { registration: options.registration } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.mfa ? { mfa: options.mfa } : {}),
      ...(options.refreshTokens ? { refreshTokens: options.refreshTokens } : {}),
      ...(options.clientAssertions ? { clientAssertions: options.clientAssertions } : {}),
      ...(options.pushedRequests ? { pushedRequests: options.pushedRequests } : {}),
      ...(options.deviceFlow ? { deviceFlow: options.deviceFlow } : {}),
      ...(options.clientMetadataDocuments ? { clientMetadataDocuments: options.clientMetadataDocuments } : {}),
      ...(options.dpop ? { dpop: options.dpop } : {}),
      ...(options.backchannelLogout ? { backchannelLogout: options.backchannelLogout } : {}),
    },
    async prepare(engine) {
      await bootstrapManagement(engine, { TESSERA_ADMIN_USERNAME: 'root', TESSERA_ADMIN_PASSWORD: 'root-password-123' });
      if (options.config)
        await engine.apply(
          validateConfig(options.config, 'test config', { apis: await engine.store.listApis(), roles: (await engine.store.listRoles()).map((r) => r.name) }),
        );
    },
  });
  // The mail and logout outboxes run as in production; the timers (audit pruning, expired records) do not, so a frozen clock stays in the test's hands.
  server.startBackground({ mail: true, logout: true });
  // With issuerHost, tests reach the server by the issuer's host name, as browsers must for passkeys.
  const url = options.issuerHost ? server.url.replace('//127.0.0.1:', `//${options.issuerHost}:`) : server.url;
  return {
    url,
    engine: server.engine,
    async close() {
      await server.close();
      await dispose();
    },
    async post(path, form, headers = {}) {
      const body = new URLSearchParams();
      for (const [key, value] of Object.entries(form)) {
        for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
      }
      const response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body,
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
  };
}
