/**
 * An https server on loopback with a certificate for localhost and 127.0.0.1, signed
 * by the test CA in test/support/tls (`TEST_CA`): it serves whatever the test puts
 * in `documents` (client ID metadata documents, JWK sets), and counts requests.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

const dir = new URL('./tls/', import.meta.url);
export const TEST_CA = readFileSync(new URL('ca.pem', dir), 'utf8');

export interface Served {
  status?: number;
  headers?: Record<string, string>;
  body: string | Record<string, unknown>;
  /** Never answer (for timeouts). */
  hang?: boolean;
}

export interface HttpsDocuments {
  /** https://localhost:<port> */
  origin: string;
  port: number;
  documents: Map<string, Served>;
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startHttpsDocuments(): Promise<HttpsDocuments> {
  const documents = new Map<string, Served>();
  const hits = new Map<string, number>();
  const server: Server = createServer(
    { cert: readFileSync(new URL('localhost.pem', dir)), key: readFileSync(new URL('localhost-key.pem', dir)) },
    (req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const served = documents.get(path);
      if (!served) return void res.writeHead(404).end();
      if (served.hang) return;
      const body = typeof served.body === 'string' ? served.body : JSON.stringify(served.body);
      res.writeHead(served.status ?? 200, { 'content-type': 'application/json', ...served.headers }).end(body);
    },
  );
  // Both stacks where there are both: "localhost" may resolve to ::1 or 127.0.0.1 first.
  await new Promise<void>((resolve) => {
    server.once('error', () => server.listen(0, '127.0.0.1', resolve));
    server.listen(0, '::', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `https://localhost:${port}`,
    port,
    documents,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
