/**
 * `tessera start --workers 2` from source as a real process tree on the embedded store (no
 * database or Redis from the environment), its output kept, for the tests of the whole
 * machine (test/cli/workers.test.ts, test/cli/start-loads-lazily.test.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface WorkersMachine {
  child: ChildProcess;
  /** Standard output and error so far. */
  output(): string;
  /** The primary's exit code. */
  exited: Promise<number | null>;
}

/** Starts `start --port 0 --data <data> --workers 2 ...args`; `nodeArgs` go before tsx's entry (more --import). */
export function startWorkersMachine(options: { data: string; args?: string[]; env?: NodeJS.ProcessEnv; nodeArgs?: string[] }): WorkersMachine {
  const env: NodeJS.ProcessEnv = { ...process.env, TESSERA_LOG_LEVEL: 'warn', TESSERA_MASTER_KEY: Buffer.alloc(32, 7).toString('base64url'), ...options.env };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'TESSERA_DATABASE_URL', 'TESSERA_REDIS_URL']) delete env[name];
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      ...(options.nodeArgs ?? []),
      'test/support/cli-entry.ts',
      'start',
      '--port',
      '0',
      '--data',
      options.data,
      '--workers',
      '2',
      ...(options.args ?? []),
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, output: () => out, exited };
}

/** Polls `check` every 50 ms until it answers something; fails after `ms`. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, what: string, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
