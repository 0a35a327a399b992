/**
 * Runs the Organizer API on its own, against a Tessera that is already running:
 *
 *   node --import tsx examples/organizer/server.ts
 *
 * Environment: TESSERA_ISSUER (default http://127.0.0.1:9000), ORGANIZER_PORT (9100),
 * ORGANIZER_HOST (127.0.0.1), ORGANIZER_INTROSPECTION_SECRET (the organizer-api client's
 * secret in tessera.yaml). `npm run demo` starts both servers and walks through them.
 */
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createOrganizerApp, ORGANIZER_AUDIENCE, type OrganizerApp, type OrganizerAppOptions } from './app.js';

export interface RunningOrganizer extends OrganizerApp {
  url: string;
  close(): Promise<void>;
}

export interface StartOrganizerOptions {
  issuer: string;
  introspectionSecret: string;
  port?: number;
  host?: string;
  log?: OrganizerAppOptions['log'];
}

export async function startOrganizer(options: StartOrganizerOptions): Promise<RunningOrganizer> {
  const app = createOrganizerApp({
    auth: {
      issuer: options.issuer,
      audience: ORGANIZER_AUDIENCE,
      introspection: { clientId: 'organizer-api', clientSecret: options.introspectionSecret },
      // A demo: say in error_description why a token was refused (e.g. endpoint_not_allowed).
      debug: true,
    },
    ...(options.log ? { log: options.log } : {}),
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    app.server.once('error', reject);
    app.server.listen(options.port ?? 9100, host, () => {
      app.server.off('error', reject);
      resolve();
    });
  });
  const { port } = app.server.address() as AddressInfo;
  return {
    ...app,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        app.server.close(() => resolve());
        app.server.closeIdleConnections();
        // Requests are short; anything still open after a second is cut.
        setTimeout(() => app.server.closeAllConnections(), 1000).unref();
      }),
  };
}

async function main(): Promise<void> {
  const organizer = await startOrganizer({
    issuer: process.env.TESSERA_ISSUER ?? 'http://127.0.0.1:9000',
    introspectionSecret: process.env.ORGANIZER_INTROSPECTION_SECRET ?? 'organizer-api-secret-change-me',
    port: Number(process.env.ORGANIZER_PORT ?? 9100),
    host: process.env.ORGANIZER_HOST ?? '127.0.0.1',
    log: (line) => console.log(JSON.stringify(line)),
  });
  console.log(`Organizer API listening on ${organizer.url} (audience ${ORGANIZER_AUDIENCE})`);
  const stop = async () => {
    await organizer.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
