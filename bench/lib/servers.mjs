/**
 * The servers compared, by id: how each starts (Tessera through its own CLI, with an
 * optional PAT and seeded store; oidc-provider from servers/oidc-provider.mjs, in
 * memory or on SQLite), and discovery of the endpoints a scenario calls.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REF_API, SCOPES, USERNAME, tesseraConfigYaml } from './fixtures.mjs';
import { BENCH, ROOT } from './paths.mjs';
import { startServer } from './server-process.mjs';

/** Runs a `tessera` CLI verb on the data directory (before the server starts); answers its stdout. */
export function tesseraCli(args, env) {
  return execFileSync(process.execPath, [join(ROOT, 'bin', 'tessera.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
}

export const SERVERS = {
  tessera: {
    label: 'Tessera',
    /**
     * options.pat: create a PAT for the bench user first (`tessera tokens create pat`);
     * options.seed({ dataDir, masterKey, env }): fill the store before the start;
     * options.env: more environment (DATABASE_URL);
     * options.masterKey: 64 hex characters (instances sharing one database need the same);
     * options.cpu: the CPUs to pin it to (taskset list, default the server core).
     */
    async start(dataDir, options = {}) {
      const configFile = join(dataDir, 'bench.yaml');
      writeFileSync(configFile, tesseraConfigYaml());
      const masterKey = options.masterKey ?? randomBytes(32).toString('hex');
      // The embedded SQLite store unless the caller names a database (TESSERA_DATABASE_URL):
      // a DATABASE_URL in the bench's own environment is for the store-scale scenario's
      // PostgreSQL runs only (and Tessera still reads it, as the deprecated name of its own).
      // One process: NODE_ENV=production would otherwise mean one worker per core (start --workers auto).
      const env = { TESSERA_LOG_LEVEL: 'silent', TESSERA_MASTER_KEY: masterKey, DATABASE_URL: '', TESSERA_DATABASE_URL: '', TESSERA_WORKERS: '1', ...options.env };
      let pat;
      let seeded;
      if (options.pat || options.seed) tesseraCli(['apply', configFile, '--data', dataDir], env);
      if (options.pat) {
        const args = ['tokens', 'create', 'pat', '--user', USERNAME, '--api', REF_API, '--scope', SCOPES[0], '--name', 'bench', '--data', dataDir, '--local'];
        pat = tesseraCli(args, env).trim();
      }
      if (options.seed) seeded = await options.seed({ dataDir, masterKey, env });
      const running = await startServer(
        'Tessera',
        [process.execPath, join(ROOT, 'bin', 'tessera.js'), 'start', '--config', configFile, '--data', dataDir, '--port', '0', '--host', '127.0.0.1'],
        env,
        options.cpu,
      );
      return { ...running, pat, seeded };
    },
  },
  'oidc-provider': {
    label: 'oidc-provider',
    start: (dataDir) =>
      startServer('oidc-provider', [process.execPath, join(BENCH, 'servers', 'oidc-provider.mjs'), JSON.stringify({ adapter: 'memory', dataDir })]),
  },
  'oidc-provider-sqlite': {
    label: 'oidc-provider+SQLite',
    start: (dataDir) =>
      startServer('oidc-provider (SQLite adapter)', [process.execPath, join(BENCH, 'servers', 'oidc-provider.mjs'), JSON.stringify({ adapter: 'sqlite', dataDir })]),
  },
};

/** The token and introspection endpoints, from discovery (oidc-provider's is /token/introspection). */
export async function discover(url) {
  const response = await fetch(`${url}/.well-known/openid-configuration`);
  if (response.status !== 200) throw new Error(`discovery at ${url} answered HTTP ${response.status}`);
  const doc = await response.json();
  const path = (endpoint) => (endpoint ? new URL(endpoint).pathname : undefined);
  return { token: path(doc.token_endpoint), introspection: path(doc.introspection_endpoint), authorization: path(doc.authorization_endpoint) };
}
