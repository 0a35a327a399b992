/**
 * A server under test as a child process: started pinned to the server core, ready
 * once it prints `listening <url>` on stdout, stopped with SIGTERM (SIGKILL after 5 s).
 * Every server (Tessera, oidc-provider, the floors) speaks this one protocol.
 */
import { spawn } from 'node:child_process';
import { ROOT } from './paths.mjs';
import { pinned, track } from './processes.mjs';
import { SERVER_CPU } from './settings.mjs';

/** Starts a server child and resolves once it printed `listening <url>`. */
export function startServer(label, argv, env, cpu = SERVER_CPU) {
  const [command, ...args] = pinned(cpu, argv);
  const child = track(spawn(command, args, { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-4000);
  };
  child.stderr.on('data', keep);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${label} did not start within 30 s`)), 30_000);
    const fail = (error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n--- ${label} output ---\n${output}`));
    };
    const early = (code, signal) => fail(new Error(`${label} exited (${signal ?? code}) before listening`));
    child.once('error', fail);
    child.once('exit', early);
    const watch = (chunk) => {
      keep(chunk);
      const match = /listening\s+(http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.off('exit', early);
        child.stdout.off('data', watch);
        child.stdout.on('data', keep);
        resolve({ child, pid: child.pid, url: match[1], output: () => output });
      }
    };
    child.stdout.on('data', watch);
  });
}

export async function stopServer(server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
