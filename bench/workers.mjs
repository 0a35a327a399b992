/**
 * The `workers` scenario of bench/run.mjs: client_credentials -> JWT (scenario a's
 * request) against `tessera start --workers 1` and `--workers 2` on the embedded SQLite
 * store, the CPU read over the whole process tree (primary and workers).
 *
 * Two figures, because a 2-core machine has no core to spare for the load generator:
 *
 * - Measured throughput. With `wrk` installed (lib/wrk-load.mjs), the load generator is
 *   light enough to share the cores, and the server gets every core; without it,
 *   autocannon drives the load and the server gets every core but the load generator's
 *   (on 2 cores: one, so req/s shows only what the primary costs). `BENCH_WORKER_CPUS`
 *   (a taskset list) overrides either.
 * - Capacity from CPU per request: a worker is a whole process with its own event loop,
 *   so N workers on N free cores serve N x 10^6 / (CPU µs per request) requests a
 *   second at most; the 2-worker row's CPU µs/req (summed over the processes) against
 *   the 1-worker row's says how much of that the coordination costs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

export async function run(h) {
  const jwt = h.scenarios.find((s) => s.id === 'jwt');
  const cores = availableParallelism();
  const loaderCpu = Number(h.settings.loaderCpu);
  const spare = [...Array(cores).keys()].filter((c) => c !== loaderCpu);
  // With wrk the load generator is light enough to share the cores: the server gets them all.
  const wrk = spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status === 0;
  const cpu = process.env.BENCH_WORKER_CPUS || (wrk ? `0-${cores - 1}` : spare.length > 0 ? spare.join(',') : h.settings.serverCpu);
  const serverCores = cpu.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }).length;

  const rows = [];
  for (const workers of [1, 2]) {
    const label = `${workers} worker${workers > 1 ? 's' : ''}`;
    h.log(`workers: ${label} on CPU ${cpu} ...`);
    const result = await h.leastDisturbed(label, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), `tessera-bench-workers-${workers}-`));
      let running;
      try {
        running = await h.servers.tessera.start(dataDir, { env: { TESSERA_WORKERS: String(workers) }, cpu });
        // Every worker up before the warm-up: the primary starts the others once worker 1 serves.
        for (let i = 0; i < 100 && h.processTree(running.pid).length < workers + 1; i++) await new Promise((r) => setTimeout(r, 100));
        const tree = h.processTree(running.pid);
        const rssIdleMB = tree.reduce((sum, pid) => sum + h.memoryMB(pid, 'VmRSS'), 0);
        const endpoints = await h.discover(running.url);
        const prepared = await jwt.prepare(running.url, endpoints, running);
        const driven = wrk
          ? {
              ...prepared,
              driver: 'wrk-load.mjs',
              spec: {
                url: `${running.url}${prepared.path}`,
                method: 'POST',
                headers: { authorization: h.fixtures.BASIC, 'content-type': 'application/x-www-form-urlencoded' },
                body: prepared.body,
                connections: h.settings.connections,
              },
            }
          : prepared;
        const measured = await h.load(running, driven);
        return { ...measured, workers, processes: tree.length, rssIdleMB };
      } finally {
        if (running) await h.stopServer(running);
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
    rows.push({ label, ...result });
  }

  const [one, two] = rows;
  const capacity = (r, n) => (n * 1e6) / r.cpuMicrosPerReq;
  const lines = [
    h.table(
      ['setup', 'processes', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req (all processes)', 'RSS idle MB (all)', 'capacity, a core per worker'],
      rows.map((r) => [
        `${r.label}${r.failures > 0 ? ' (!)' : ''}${r.disturbed ? ' (~)' : ''}`,
        r.processes,
        h.fmt.int(r.reqPerSec),
        h.fmt.ms(r.p50ms),
        h.fmt.ms(r.p99ms),
        h.fmt.int(r.cpuMicrosPerReq),
        h.fmt.one(r.rssIdleMB),
        `${h.fmt.int(capacity(r, r.workers))} req/s`,
      ]),
    ),
    '',
    `two workers / one, measured req/s: ${h.fmt.x(two.reqPerSec / one.reqPerSec)} (server on CPU ${cpu}: ${serverCores} core${serverCores > 1 ? 's' : ''}; load generator ${wrk ? 'wrk' : 'autocannon'} on CPU ${h.settings.loaderCpu}, ${h.fmt.int(two.loaderCpuPercent)}% of a core with two workers)`,
    `two workers / one, from CPU per request (each worker on a core of its own): ${h.fmt.x(capacity(two, 2) / capacity(one, 1))}`,
  ];
  if (!wrk) lines.push('wrk is not installed (apt-get install wrk): autocannon drove the load and takes a core the workers could use');
  if (serverCores < 2) lines.push('the server had one core here: the measured ratio shows what the primary and IPC cost, not added capacity (set BENCH_WORKER_CPUS, or run on a machine with 3+ cores)');
  if (!h.settings.pinned) lines.push('taskset is missing: nothing was pinned, the load generator competes with the workers');
  return { lines, results: rows };
}
