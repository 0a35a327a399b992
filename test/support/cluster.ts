/**
 * Several Tessera instances as separate processes (the CLI run from source through
 * tsx), sharing one PostgreSQL schema and optionally Redis: what a deployment behind a
 * load balancer looks like, on loopback ports.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Instance {
  name: string;
  url: string;
  process: ChildProcess;
  /** What the process wrote, for failure messages. */
  output: string[];
}

export async function startInstance(name: string, env: Record<string, string>, timeoutMs = 60_000): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/cli-entry.ts', 'start', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, TESSERA_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output.join('')}`)), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      output.push(text);
      const match = /listening\s+(http:\/\/\S+)/.exec(output.join(''));
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before listening:\n${output.join('')}`));
    });
  });
  const instance = { name, url, process: child, output };
  await waitUntilReady(instance, timeoutMs);
  return instance;
}

export async function waitUntilReady(instance: Instance, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${instance.url}/readyz`, { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > until) throw new Error(`${instance.name} not ready (last status ${status}):\n${instance.output.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function stopInstance(instance: Instance): Promise<void> {
  if (instance.process.exitCode !== null || instance.process.signalCode !== null) return;
  const exited = new Promise((resolve) => instance.process.once('exit', resolve));
  instance.process.kill('SIGTERM');
  const timer = setTimeout(() => instance.process.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * What `tessera migrate` and `tessera apply` do before instances start: the schema,
 * the first administrator and the configuration, in this process.
 */
export async function prepareDeployment(options: { databaseUrl: string; schema: string; issuer: string; masterKey: Buffer; config: unknown }): Promise<void> {
  const { AuthorizationServer } = await import('../../src/core/authorization-server.js');
  const { validateConfig } = await import('../../src/core/config/load.js');
  const { bootstrapManagement } = await import('../../src/management/bootstrap.js');
  const { pageViews } = await import('../../src/pages/page-views.js');
  const { PostgresStore } = await import('../../src/stores/postgres/postgres-store.js');
  const store = new PostgresStore({ connectionString: options.databaseUrl, schema: options.schema });
  try {
    const engine = await AuthorizationServer.create({ issuer: options.issuer, store, masterKey: options.masterKey, views: pageViews });
    await bootstrapManagement(engine, { TESSERA_ADMIN_USERNAME: 'root', TESSERA_ADMIN_PASSWORD: 'root-password-123' });
    const known = { apis: await store.listApis(), roles: (await store.listRoles()).map((r) => r.name) };
    await engine.apply(validateConfig(options.config, 'cluster config', known));
    await engine.close();
  } finally {
    await store.close();
  }
}

/** Polls `check` every 10 ms until it holds; fails after `patienceMs`. Resolves to the milliseconds it took. */
export async function eventually(check: () => Promise<boolean>, what: string, patienceMs = 10_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > patienceMs) assert.fail(`not seen within ${patienceMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - started;
}
