/**
 * What this process is in `start --workers`: nothing (a single process), or worker
 * `id` of `total`, the leader (worker 1 at first start: it bootstraps the store and
 * applies the config file) or a follower (built for the leader's address).
 */
import cluster from 'node:cluster';
import { PrimaryChannel } from './primary-channel.js';

export interface WorkerRole {
  id: number;
  total: number;
  leader: boolean;
  /** The leader's bound address, for followers (their issuer default). */
  url?: string;
  primary: PrimaryChannel;
}

export function workerRole(env: NodeJS.ProcessEnv = process.env): WorkerRole | undefined {
  if (!cluster.isWorker || !env.TESSERA_WORKER_ID) return undefined;
  const role: WorkerRole = {
    id: Number(env.TESSERA_WORKER_ID),
    total: Number(env.TESSERA_WORKERS_TOTAL ?? 1),
    leader: env.TESSERA_WORKER_LEADER === '1',
    primary: new PrimaryChannel(),
  };
  if (env.TESSERA_WORKER_URL) role.url = env.TESSERA_WORKER_URL;
  return role;
}

/** Housekeeping and audit pruning run in one process per machine: worker 1 (or the only one). */
export function runsHousekeeping(role: WorkerRole | undefined): boolean {
  return role === undefined || role.id === 1;
}
