/**
 * How many server processes `tessera start` runs on this machine: `--workers N|auto`,
 * else TESSERA_WORKERS, else the config file's `server.workers`, else one process —
 * or one per core in production (NODE_ENV=production) when the machine has several.
 */
import { availableParallelism } from 'node:os';
import { ConfigError } from '../../core/errors.js';

export const MAX_WORKERS = 256;

export interface WorkerCountInput {
  flag?: string | undefined;
  env: NodeJS.ProcessEnv;
  config?: number | 'auto' | undefined;
  cores?: number;
}

export function resolveWorkers({ flag, env, config, cores = availableParallelism() }: WorkerCountInput): number {
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
