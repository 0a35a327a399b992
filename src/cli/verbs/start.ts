/** `tessera start`: run the server (creating the store and keys on first run). */
import { AuthorizationServer } from '../../core/authorization-server.js';
import { bootstrapManagement } from '../../management/bootstrap.js';
import { listen } from '../../http/http-server.js';
import { createLogger } from '../../http/logger.js';
import { loadConfigAgainst, openData } from '../open-engine.js';
import { openShared } from '../../server/open-shared.js';
import { COMMON_FLAGS, parseFlags, portFlag } from '../parse-flags.js';
import { describeSummary } from '../../core/config/describe-summary.js';
import type { Verb } from './verb.js';
import { mailOptions } from '../../mail/mail-setup.js';
import { mailNeeded } from '../../server/email-settings.js';

export const startVerb: Verb = {
  name: 'start',
  summary: 'run the authorization server',
  usage: `tessera start [--port 9000] [--host 127.0.0.1] [--data DIR] [--config FILE] [--issuer URL]

Runs Tessera. The first start creates the store and the signing keys.
  --port N        port to listen on (default 9000; env TESSERA_PORT)
  --host ADDR     address to bind (default 127.0.0.1; env TESSERA_HOST)
  --data DIR      data directory for the embedded store and master key (default ./.tessera)
  --config FILE   YAML or JSON configuration to apply before serving (see README)
  --issuer URL    public issuer URL (default http://HOST:PORT; env TESSERA_ISSUER)
Environment: DATABASE_URL=postgres://... selects PostgreSQL; TESSERA_MASTER_KEY sets the master key;
TESSERA_AUDIT_RETENTION_DAYS (default 365); TESSERA_SHUTDOWN_TIMEOUT seconds (default 10);
REDIS_URL=redis://... shares throttles and cache invalidation through Redis; TESSERA_TRUST_PROXY
(addresses, CIDRs, loopback, private, or a hop count); TESSERA_CACHE_TTL seconds (default 1);
TESSERA_DATABASE_SCHEMA, TESSERA_DB_POOL_SIZE, TESSERA_DB_CONNECT_TIMEOUT, TESSERA_DB_STATEMENT_TIMEOUT;
mail (docs/email.md): TESSERA_SMTP_URL (or TESSERA_SMTP_HOST, _PORT, _SECURE, _USER, _PASSWORD),
TESSERA_MAIL_FROM, TESSERA_SIGNUP=true, TESSERA_SIGNUP_DOMAINS=example.com,example.org.

SIGTERM or SIGINT stops accepting requests, lets those in flight finish (up to the
shutdown timeout), writes the buffered audit events and closes the store. A second
signal exits at once.`,
  async run(args, io) {
    const { values } = parseFlags(args, { ...COMMON_FLAGS, port: { type: 'string' }, host: { type: 'string' } });
    if (values.help) return io.out(this.usage), 0;
    const flags = { ...values, port: portFlag(values.port) };
    const data = await openData(flags);
    for (const warning of data.warnings) io.err(`warning: ${warning}`);
    const logger = createLogger();
    const warn = (message: string, fields?: Record<string, unknown>) => logger.warn(fields ?? {}, message);
    const shared = await openShared(data.settings, data.store, { warn });
    const email = data.settings.email;
    const mail = mailNeeded(email) ? await mailOptions(email, logger) : undefined;
    let running;
    try {
      const { trustProxy } = data.settings;
      running = await listen({ host: data.settings.host, port: data.settings.port, logger, ...(trustProxy !== undefined ? { trustProxy } : {}) }, async (url) => {
        const engine = await AuthorizationServer.create({
          issuer: data.settings.issuer ?? url,
          store: data.store,
          masterKey: data.masterKey,
          cacheTtlSeconds: data.settings.cacheTtlSeconds,
          changes: shared.changes,
          attempts: shared.attempts,
          audit: { warn },
          ...(mail ? { mail } : {}),
        });
        const bootstrap = await bootstrapManagement(engine);
        if (bootstrap.generatedAdmin) {
          const { username, password } = bootstrap.generatedAdmin;
          io.err(`created the first administrator: ${username} / ${password}  (shown once; change it, or set TESSERA_ADMIN_USERNAME and TESSERA_ADMIN_PASSWORD before the first start)`);
        }
        if (data.configText !== undefined) {
          const config = await loadConfigAgainst(data.store, data.configText, flags.config!);
          const summary = await engine.apply(config);
          io.out(describeSummary(flags.config!, summary));
        }
        return engine;
      });
    } catch (error) {
      await shared.changes.close();
      await data.store.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        io.err(`error: ${data.settings.host}:${data.settings.port} is already in use; choose another --port`);
        return 1;
      }
      throw error;
    }
    const { engine } = running;
    io.out(`Tessera is running (${data.store.kind} store)`);
    io.out(`  listening  ${running.url}`);
    io.out(`  issuer     ${engine.issuer}`);
    io.out(`  discovery  ${engine.issuer}/.well-known/openid-configuration`);
    io.out(`  jwks       ${engine.issuer}/jwks`);
    io.out(`  console    ${engine.issuer}/admin/`);
    io.out(`  shared     ${shared.describe}; caches re-read after ${data.settings.cacheTtlSeconds} s at most`);
    io.out(`  mail       ${describeMail(engine.mail)}`);
    if (engine.mail && !email.smtp) io.err('warning: no SMTP server configured: mail is written to the log, not sent (development only; see docs/email.md)');
    engine.mail?.outbox.start((error) => logger.warn({ err: error }, 'delivering mail failed'));
    engine.audit.startPruning(data.settings.auditRetentionDays, Date.now, (error) => logger.warn({ err: error }, 'audit pruning failed'));
    engine.housekeeping.start((error) => logger.warn({ err: error }, 'deleting expired tokens and sessions failed'));
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    const force = (again: string) => {
      logger.warn({ signal: again }, 'second signal: exiting without waiting');
      process.exit(1);
    };
    process.once('SIGTERM', force);
    process.once('SIGINT', force);
    logger.info({ signal, timeoutMs: data.settings.shutdownTimeoutMs }, 'shutting down: draining requests');
    const { cut } = await running.drain(data.settings.shutdownTimeoutMs);
    if (cut > 0) logger.warn({ cut }, 'requests still running at the shutdown timeout were cut');
    await engine.close();
    await data.store.close();
    logger.info({ auditWritten: engine.audit.written, auditDropped: engine.audit.dropped }, 'stopped');
    process.off('SIGTERM', force);
    process.off('SIGINT', force);
    return 0;
  },
};

function describeMail(mail: AuthorizationServer['mail']): string {
  if (!mail) return 'off (no flow needs it)';
  const f = mail.features;
  const flows = [f.passwordReset && 'password reset', f.verification && 'verification', f.invitations && 'invitations', f.signUp.enabled && `sign-up${f.signUp.domains.length ? ` (${f.signUp.domains.join(', ')})` : ''}`].filter(Boolean);
  return `${mail.outbox.transport.describe}; ${flows.join(', ')}`;
}
