/**
 * How many server processes `tessera start` runs on this machine, once the setting
 * (`--workers N|auto`, TESSERA_WORKERS or `server.workers`, read and checked like every
 * setting: setting-declarations.ts) is known: "auto" is one per core, and without the
 * setting it is one process, or one per core in production (NODE_ENV=production) when
 * the machine has several.
 *
 * "Cores" are what this process may use: the CPU affinity (availableParallelism) and,
 * in a container, the cgroup v2 CPU quota (`cpu.max`), which Node does not read. A pod
 * limited to 2 CPUs on a 64-core node must not start 64 workers.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export interface WorkerCountInput {
  /** The `workers` setting, if given. */
  setting?: number | 'auto' | undefined;
  env: NodeJS.ProcessEnv;
  cores?: number;
}

export function resolveWorkers({ setting, env, cores = usableCores() }: WorkerCountInput): number {
  if (setting !== undefined) return setting === 'auto' ? cores : setting;
  return env.NODE_ENV === 'production' && cores > 1 ? cores : 1;
}

/** The cores this process may use: affinity, lowered to the cgroup v2 CPU quota when there is one. */
export function usableCores(cpuMax: string | undefined = readCpuMax(), affinity = availableParallelism()): number {
  const quota = cpuQuota(cpuMax);
  return quota === undefined ? affinity : Math.max(1, Math.min(affinity, Math.ceil(quota)));
}

/** CPUs a cgroup v2 `cpu.max` ("QUOTA PERIOD", or "max PERIOD" for none) allows. */
export function cpuQuota(cpuMax: string | undefined): number | undefined {
  const match = /^(\d+)\s+(\d+)\s*$/.exec(cpuMax ?? '');
  if (!match) return undefined;
  const [quota, period] = [Number(match[1]), Number(match[2])];
  return quota > 0 && period > 0 ? quota / period : undefined;
}

function readCpuMax(): string | undefined {
  try {
    return readFileSync('/sys/fs/cgroup/cpu.max', 'utf8');
  } catch {
    return undefined;
  }
}
