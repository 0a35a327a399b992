/**
 * `tessera start`: run the server (creating the store and keys on first run), as one
 * process or several. The primary of `--workers` reads the settings and hands over to
 * server/cluster/primary.ts; the server itself (serve-process.ts: store, engine, HTTP)
 * is imported only by a process that serves, so the primary stays small.
 */
import cluster from 'node:cluster';
import { createLogger } from '../../http/logger.js';
import { readSettings } from '../read-settings.js';
import { workerRole } from '../../server/cluster/worker-role.js';
import { COMMON_FLAGS, parseFlags, portFlag } from '../parse-flags.js';
import type { Verb } from './verb.js';
import { startHelp } from '../../server/settings-reference.js';
import { holdYoungGeneration } from '../../server/young-generation.js';

export const startVerb: Verb = {
  name: 'start',
  summary: 'run the authorization server',
  // The settings part is generated from their declarations (server/setting-declarations.ts).
  get usage() {
    return `${startHelp()}

SIGTERM or SIGINT stops accepting requests, lets those in flight finish (up to the
shutdown timeout), writes the buffered audit events and closes the store. A second
signal exits at once. With --workers, the primary process passes the signal on to every
worker and restarts a worker that dies.`;
  },
  async run(args, io) {
    const { values } = parseFlags(args, { ...COMMON_FLAGS, port: { type: 'string' }, host: { type: 'string' }, workers: { type: 'string' } });
    if (values.help) return (io.out(this.usage), 0);
    const flags = { ...values, port: portFlag(values.port) };
    // Until the process serves (or, as the primary, has what it needs to run the workers).
    const releaseYoungGeneration = holdYoungGeneration();
    try {
      const role = workerRole();
      if (!role && cluster.isPrimary) {
        const { settings } = await readSettings(flags);
        if (settings.workers > 1) {
          const { runPrimary } = await import('../../server/cluster/primary.js');
          releaseYoungGeneration();
          return await runPrimary({ workers: settings.workers, log: createLogger() });
        }
      }
      const { serveProcess } = await import('../serve-process.js');
      return await serveProcess(flags, role, io, releaseYoungGeneration);
    } finally {
      releaseYoungGeneration(); // a start that failed, or a stopped server
    }
  },
};
