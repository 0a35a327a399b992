/**
 * One serving process of `tessera start`, alone or as a worker of `--workers`: opens the
 * store, starts the HTTP server (applying the configuration file once, in the leading
 * process), prints where it listens, runs the background jobs (in one process) and
 * drains on SIGTERM or SIGINT, or on the primary's stop.
 */
import cluster from 'node:cluster';
import { bootstrapManagement } from '../management/bootstrap.js';
import { createLogger } from '../http/logger.js';
import { loadConfigAgainst, openData } from './open-engine.js';
import type { Flags } from './read-settings.js';
import { openShared } from '../server/open-shared.js';
import { engineOptionsFrom } from '../server/engine-settings.js';
import { startServer, type TesseraServer } from '../server/tessera-server.js';
import { runsHousekeeping, type WorkerRole } from '../server/cluster/worker-role.js';
import { joinPrimary } from '../server/cluster/join-primary.js';
import { describeSummary } from '../core/config/describe-summary.js';
import type { Io } from './verbs/verb.js';
import { mailOptions } from '../mail/mail-setup.js';
import { mailNeeded } from '../server/email-settings.js';

/** Serves until stopped; answers the exit code. `serving` is called once the process serves. */
export async function serveProcess(flags: Flags, role: WorkerRole | undefined, io: Io, serving: () => void = () => {}): Promise<number> {
  const leads = !role || role.leader;
  const data = await openData(flags);
  if (leads) for (const warning of data.warnings) io.err(`warning: ${warning}`);
  const logger = createLogger();
  const warn = (message: string, fields?: Record<string, unknown>) => logger.warn(fields ?? {}, message);
  const shared = await openShared(data.settings, data.store, { warn, ...(role ? { primary: role.primary } : {}) });
  const email = data.settings.email;
  const mail = mailNeeded(email) ? await mailOptions(email, logger) : undefined;
  // Listen for the stop before starting: a worker told to stop while it is still
  // starting (a restarted worker when the primary gets SIGTERM) would otherwise miss
  // the primary's message and keep the whole machine from stopping.
  const stop = stopSignals(role);
  let server: TesseraServer;
  try {
    const { trustProxy } = data.settings;
    const knownUrl = role && !role.leader ? role.url : undefined;
    server = await startServer({
      host: data.settings.host,
      port: data.settings.port,
      logger,
      ...(trustProxy !== undefined ? { trustProxy } : {}),
      ...(knownUrl ? { knownUrl } : {}),
      engine: engineOptionsFrom(data.settings, { store: data.store, masterKey: data.masterKey, shared, mail, warn }),
      async prepare(engine) {
        if (!leads) return;
        const bootstrap = await bootstrapManagement(engine);
        if (bootstrap.generatedAdmin) {
          const { username, password } = bootstrap.generatedAdmin;
          io.err(
            `created the first administrator: ${username} / ${password}  (shown once; change it, or set TESSERA_ADMIN_USERNAME and TESSERA_ADMIN_PASSWORD before the first start)`,
          );
        }
        if (data.configText !== undefined) {
          const config = await loadConfigAgainst(data.store, data.configText, flags.config!);
          const summary = await engine.apply(config);
          io.out(describeSummary(flags.config!, summary));
        }
      },
    });
  } catch (error) {
    stop.dispose();
    await shared.changes.close();
    await data.store.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      io.err(`error: ${data.settings.host}:${data.settings.port} is already in use; choose another --port`);
      return 1;
    }
    throw error;
  }
  const { engine } = server;
  if (role) joinPrimary(role, server);
  if (leads) {
    io.out(`Tessera is running (${data.store.kind} store)`);
    io.out(`  listening  ${server.url}`);
    io.out(`  issuer     ${engine.issuer}`);
    io.out(`  discovery  ${engine.issuer}/.well-known/openid-configuration`);
    io.out(`  jwks       ${engine.issuer}/jwks`);
    io.out(`  console    ${engine.issuer}/admin/`);
    if (role) io.out(`  workers    ${role.total} processes on one port; a worker that dies is restarted`);
    io.out(`  shared     ${shared.describe}; caches re-read after ${data.settings.cacheTtlSeconds} s at most`);
    io.out(`  mail       ${describeMail(engine.mail)}`);
    if (engine.mail && !email.smtp) io.err('warning: no SMTP server configured: mail is written to the log, not sent (development only; see docs/email.md)');
  }
  serving();
  if (runsHousekeeping(role)) server.startBackground({ mail: true, logout: true, auditRetentionDays: data.settings.auditRetentionDays, housekeeping: true });
  const signal = await stop.first;
  stop.onSecond((again) => {
    logger.warn({ signal: again }, 'second signal: exiting without waiting');
    process.exit(1);
  });
  logger.info({ signal, timeoutMs: data.settings.shutdownTimeoutMs, ...(role ? { worker: role.id } : {}) }, 'shutting down: draining requests');
  const { cut } = await server.stop(data.settings.shutdownTimeoutMs);
  if (cut > 0) logger.warn({ cut }, 'requests still running at the shutdown timeout were cut');
  await data.store.close();
  logger.info({ auditWritten: engine.audit.written, auditDropped: engine.audit.dropped }, 'stopped');
  stop.dispose();
  return 0;
}

/**
 * What stops the server: SIGTERM or SIGINT for a single process. A worker stops when
 * the primary says so, or on SIGTERM sent to it alone; it ignores SIGINT, which a
 * terminal sends to the whole process group (the primary passes it on).
 */
function stopSignals(role: WorkerRole | undefined) {
  const listeners: [string, (...args: unknown[]) => void][] = [];
  const on = (event: string, listener: (...args: unknown[]) => void) => {
    process.on(event, listener);
    listeners.push([event, listener]);
  };
  let second: ((signal: string) => void) | undefined;
  let stopped = false;
  const first = new Promise<string>((resolve) => {
    // A stop from the primary after a signal (both came from one `kill` of the group) is not a second signal.
    const stopWith =
      (signal: string, forceOnRepeat = true) =>
      () => {
        if (!stopped) {
          stopped = true;
          resolve(signal);
        } else if (forceOnRepeat) second?.(signal);
      };
    on('SIGTERM', stopWith('SIGTERM'));
    if (role) {
      on('SIGINT', () => {});
      role.primary.on('stop', stopWith('stop from the primary', false));
    } else on('SIGINT', stopWith('SIGINT'));
  });
  return {
    first,
    onSecond(handler: (signal: string) => void) {
      second = handler;
    },
    dispose() {
      for (const [event, listener] of listeners) process.off(event, listener);
      // A worker's IPC channel would keep it alive: let go of the primary so it exits.
      if (role) cluster.worker?.disconnect();
    },
  };
}

function describeMail(mail: TesseraServer['engine']['mail']): string {
  if (!mail) return 'off (no flow needs it)';
  const f = mail.features;
  const flows = [
    f.passwordReset && 'password reset',
    f.verification && 'verification',
    f.invitations && 'invitations',
    f.signUp.enabled && `sign-up${f.signUp.domains.length ? ` (${f.signUp.domains.join(', ')})` : ''}`,
  ].filter(Boolean);
  return `${mail.outbox.transport.describe}; ${flows.join(', ')}`;
}
