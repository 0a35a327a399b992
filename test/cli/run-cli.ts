/**
 * Two ways to run the `tessera` command in tests: `tessera(...)` spawns the real
 * process (through tsx, no build needed), with a clean environment, optional stdin and
 * extra variables; `inProcess(...)` calls main() with captured output, for the wider
 * matrix where a process per call would only cost time.
 */
import { spawn } from 'node:child_process';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** The environment of a spawned command: nothing of this shell's Tessera settings leaks in. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TESSERA_LOG_LEVEL: 'silent' };
  for (const name of Object.keys(env)) if (name.startsWith('TESSERA_') && name !== 'TESSERA_LOG_LEVEL') delete env[name];
  // The deprecated names of TESSERA_DATABASE_URL and TESSERA_REDIS_URL.
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  return { ...env, ...extra };
}

export function tessera(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/cli-entry.ts', ...args], {
      env: cleanEnv(options.env ?? {}),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out: out.trimEnd(), err: err.trimEnd() }));
    child.stdin.end(options.input ?? '');
  });
}

export async function inProcess(...argv: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Parses --json output, with the command's stderr in the message when it is not JSON. */
export function json<T = Record<string, unknown>>(result: CliResult): T {
  try {
    return JSON.parse(result.out) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.out}\n--- stderr ---\n${result.err}`);
  }
}
