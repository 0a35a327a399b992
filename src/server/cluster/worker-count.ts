/**
 * How many server processes `tessera start` runs on this machine: `--workers N|auto`,
 * else TESSERA_WORKERS, else the config file's `server.workers`, else one process —
 * or one per core in production (NODE_ENV=production) when the machine has several.
 *
 * "Cores" are what this process may use: the CPU affinity (availableParallelism) and,
 * in a container, the cgroup v2 CPU quota (`cpu.max`), which Node does not read. A pod
 * limited to 2 CPUs on a 64-core node must not start 64 workers.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ConfigError } from '../../core/errors.js';

export const MAX_WORKERS = 256;

export interface WorkerCountInput {
  flag?: string | undefined;
  env: NodeJS.ProcessEnv;
  config?: number | 'auto' | undefined;
  cores?: number;
}

export function resolveWorkers({ flag, env, config, cores = usableCores() }: WorkerCountInput): number {
  const fromText = (text: string, source: string): number => {
    if (text === 'auto') return cores;
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < 1 || n > MAX_WORKERS) throw new ConfigError(`${source} must be "auto" or a whole number from 1 to ${MAX_WORKERS}, got ${text}`);
    return n;
  };
  if (flag !== undefined) return fromText(flag, '--workers');
  if (env.TESSERA_WORKERS) return fromText(env.TESSERA_WORKERS, 'TESSERA_WORKERS');
  if (config !== undefined) return config === 'auto' ? cores : config;
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
