/**
 * A running Tessera: the port bound, the engine built on the bound address (the default
 * issuer), the HTTP binding, what runs beside the requests (the mail outbox, audit
 * pruning, deleting expired records) and a stop that lets requests finish. It reacts to
 * no signal and prints nothing: `tessera start` (cli/verbs/start.ts) adds signals, the
 * banner and the cluster, and the black-box tests' test/support/test-server.ts starts
 * Tessera here too, so the tests run the wiring production runs.
 *
 * The store is the caller's to open and close (it may outlive the server, as in a
 * restart test); the engine closes the change feed it was given.
 */
import type { Logger } from 'pino';
import { AuthorizationServer, type AuthorizationServerOptions } from '../core/authorization-server.js';
import type { TrustProxy } from '../http/client-address.js';
import { listen } from '../http/http-server.js';
import type { HttpMetrics } from '../http/metrics.js';

/** The engine's options; the issuer defaults to the address bound. */
export type EngineOptions = Omit<AuthorizationServerOptions, 'issuer'> & {
  /** The issuer, or how to make it from the address bound (e.g. a host name instead of 127.0.0.1); default: that address. */
  issuer?: string | ((boundUrl: string) => string) | undefined;
};

export interface ServerOptions {
  host: string;
  /** 0: any free port (tests). */
  port: number;
  logger: Logger;
  /** Proxies whose forwarding headers are believed (none by default). */
  trustProxy?: TrustProxy;
  /** The address when known before binding (a worker joining the others): the engine is built first. */
  knownUrl?: string;
  engine: EngineOptions;
  /**
   * Runs once the engine is built and before the first request is served (until then
   * requests are answered 503): the first-start bootstrap, a configuration file.
   */
  prepare?: (engine: AuthorizationServer) => Promise<void>;
}

/** What runs beside the requests, in one process of a cluster (cluster/worker-role.ts). */
export interface BackgroundWork {
  /** Delivers queued mail (when the engine has mail). */
  mail: boolean;
  /** Delivers queued back-channel logout tokens, also those left by a stopped server (when the engine has back-channel logout). */
  logout?: boolean;
  /** Deletes audit events older than this many days. */
  auditRetentionDays?: number;
  /** Deletes expired tokens, sessions and flow records. */
  housekeeping?: boolean;
}

export interface TesseraServer {
  /** The address bound, e.g. http://127.0.0.1:9000. */
  readonly url: string;
  readonly engine: AuthorizationServer;
  readonly metrics: HttpMetrics;
  /** Starts the background work; failures are logged as warnings and retried on the next round. */
  startBackground(work: BackgroundWork): void;
  /**
   * Graceful stop: no new connections, /readyz answers 503, requests in flight finish
   * for up to `timeoutMs` and the rest are cut; then the engine writes what it buffers
   * and closes. Resolves with how many requests were cut.
   */
  stop(timeoutMs: number): Promise<{ cut: number }>;
  /** Stops at once, without waiting for requests (tests). */
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<TesseraServer> {
  const { engine: engineOptions, prepare, logger } = options;
  const running = await listen(
    {
      host: options.host,
      port: options.port,
      logger,
      ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
      ...(options.knownUrl !== undefined ? { knownUrl: options.knownUrl } : {}),
    },
    async (url) => {
      const { issuer } = engineOptions;
      const engine = await AuthorizationServer.create({ ...engineOptions, issuer: typeof issuer === 'function' ? issuer(url) : (issuer ?? url) });
      await prepare?.(engine);
      return engine;
    },
  );
  const { engine } = running;
  const warnOn = (message: string) => (error: unknown) => logger.warn({ err: error }, message);
  return {
    url: running.url,
    engine,
    metrics: running.metrics,
    startBackground(work) {
      if (work.mail) engine.mail?.outbox.start(warnOn('delivering mail failed'));
      if (work.logout) engine.backchannelLogout?.start(warnOn('delivering back-channel logout tokens failed'));
      if (work.auditRetentionDays !== undefined) engine.audit.startPruning(work.auditRetentionDays, Date.now, warnOn('audit pruning failed'));
      if (work.housekeeping) engine.housekeeping.start(warnOn('deleting expired tokens and sessions failed'));
    },
    async stop(timeoutMs) {
      const drained = await running.drain(timeoutMs);
      await engine.close();
      return drained;
    },
    async close() {
      await running.close();
      await engine.close();
    },
  };
}
