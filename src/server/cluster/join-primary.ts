/**
 * A worker of `start --workers` tells the primary it serves (the leader's address lets
 * the other workers start on it) and answers the primary's metrics requests, so that
 * /metrics on any worker shows the whole machine.
 */
import type { TesseraServer } from '../tessera-server.js';
import type { WorkerRole } from './worker-role.js';

export function joinPrimary(role: WorkerRole, server: TesseraServer): void {
  const { primary } = role;
  primary.on('metrics', ({ id }) => {
    void server.metrics.registry.getMetricsAsJSON().then((metrics) => primary.send({ tessera: 'metrics', id, metrics }));
  });
  server.metrics.merged = () => primary.ask<string>({ kind: 'metrics' }, 3000);
  if (role.leader) primary.send({ tessera: 'ready', url: server.url });
}
