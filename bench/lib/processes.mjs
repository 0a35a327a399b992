/**
 * The runner's child processes: pinning to a benchmark core (taskset, when it exists
 * and CPUs 0 and 1 are there), and tracking every child so none outlives an early stop.
 */
import { spawnSync } from 'node:child_process';
import { log } from './log.mjs';
import { LOADER_CPU, SERVER_CPU } from './settings.mjs';

export const HAS_TASKSET = (() => {
  if (process.platform !== 'linux') return false;
  const probe = spawnSync('taskset', ['-c', `${SERVER_CPU},${LOADER_CPU}`, 'true'], { stdio: 'ignore' });
  return probe.status === 0;
})();

/** Every child still running, killed if this process stops early. */
const children = new Set();
export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`bench: ${signal}, stopping`);
    process.exit(130);
  });
}

export function pinned(cpu, argv) {
  return HAS_TASKSET ? ['taskset', '-c', cpu, ...argv] : argv;
}
