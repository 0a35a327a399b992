/**
 * A server measured under load: `load` turns one load run into the figures every row
 * of the report has (req/s, latency, CPU per request, RSS idle and peak, failures,
 * interference); `measure` does it for one scenario on a fresh server in a fresh
 * data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASIC } from './fixtures.mjs';
import { memoryMB, resetPeak } from './proc.mjs';
import { runLoad } from './run-load.mjs';
import { stopServer } from './server-process.mjs';
import { discover, SERVERS } from './servers.mjs';
import { CONNECTIONS, DISTURBED_LOADER_PERCENT, DISTURBED_SERVER_PERCENT, SECONDS, WARMUP_SECONDS } from './settings.mjs';

export async function measure(serverId, scenario) {
  const server = SERVERS[serverId];
  const dataDir = mkdtempSync(join(tmpdir(), `tessera-bench-${serverId}-`));
  let running;
  try {
    const startedAt = process.hrtime.bigint();
    running = await server.start(dataDir, serverId === 'tessera' ? scenario.tessera : undefined);
    const startMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
    const endpoints = await discover(running.url);
    const prepared = await scenario.prepare(running.url, endpoints, running);
    return await load(running, prepared, { startMs });
  } finally {
    if (running) await stopServer(running);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function load(running, prepared, extra = {}) {
  const { pid } = running;
  const rssIdleMB = memoryMB(pid, 'VmRSS');
  const hwmReset = resetPeak(pid);
  let rssPolledMB = rssIdleMB;
  const poll = setInterval(() => {
    const rss = memoryMB(pid, 'VmRSS');
    if (rss > rssPolledMB) rssPolledMB = rss;
  }, 100);
  let result;
  try {
    const spec = prepared.driver
      ? { ...prepared.spec, warmupSeconds: WARMUP_SECONDS, seconds: prepared.seconds ?? SECONDS }
      : {
          url: `${running.url}${prepared.path}`,
          method: 'POST',
          headers: { authorization: prepared.authorization ?? BASIC, 'content-type': 'application/x-www-form-urlencoded' },
          body: prepared.body,
          ...(prepared.bodiesFile ? { bodiesFile: prepared.bodiesFile } : {}),
          connections: CONNECTIONS,
          warmupSeconds: WARMUP_SECONDS,
          seconds: prepared.seconds ?? SECONDS,
          verify: prepared.verify,
        };
    result = await runLoad(spec, pid, prepared.driver);
  } finally {
    clearInterval(poll);
  }
  const hwm = memoryMB(pid, 'VmHWM');
  const rssPeakMB = hwmReset && Number.isFinite(hwm) ? Math.max(hwm, rssPolledMB) : rssPolledMB;
  const failures = result.non2xx + result.errors + result.timeouts + result.mismatches;
  return {
    ...extra,
    reqPerSec: result.ok / result.seconds,
    p50ms: result.p50ms,
    p99ms: result.p99ms,
    maxms: result.maxms,
    cpuMicrosPerReq: (result.serverUserMicros + result.serverSysMicros) / result.responses,
    sysMicrosPerReq: result.serverSysMicros / result.responses,
    serverCpuPercent: ((result.serverUserMicros + result.serverSysMicros) / 1e6 / result.seconds) * 100,
    serverCoreBusyPercent: result.serverCoreBusyPercent,
    foreignServerCorePercent: result.foreignServerCorePercent,
    foreignLoaderCorePercent: result.foreignLoaderCorePercent,
    disturbed: result.foreignServerCorePercent > DISTURBED_SERVER_PERCENT || result.foreignLoaderCorePercent > DISTURBED_LOADER_PERCENT,
    loaderCpuPercent: result.loaderCpuPercent,
    rssIdleMB,
    rssPeakMB,
    responses: result.responses,
    ok: result.ok,
    statusCodes: result.statusCodes,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    failures,
    failureSamples: result.samples,
    seconds: result.seconds,
    sample: prepared.sample,
    ...(result.requestsPerFlow !== undefined ? { requestsPerFlow: result.requestsPerFlow } : {}),
    ...prepared.extra,
  };
}
