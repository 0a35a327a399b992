/**
 * A one-core measurement child (lib/sign-rate.mjs, lib/scrypt-rate.mjs, lib/sdk.mjs):
 * no server and no load generator, just a loop on the server core whose JSON answer
 * is judged for interference like a load run.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { BENCH } from './paths.mjs';
import { coreDelta, coreTimes } from './proc.mjs';
import { HAS_TASKSET, pinned } from './processes.mjs';
import { DISTURBED_SERVER_PERCENT, SERVER_CPU } from './settings.mjs';

/**
 * Runs a one-core measurement child (lib/sign-rate.mjs, lib/scrypt-rate.mjs,
 * lib/sdk.mjs) on CPU 0 and answers its JSON line, with the share of that core other
 * processes took meanwhile (its `processCpuMicros` covers its whole life, as does the
 * core reading).
 */
export function pinnedChild(script, args) {
  const argv = pinned(SERVER_CPU, [process.execPath, join(BENCH, 'lib', script), ...args]);
  const before = coreTimes();
  const out = execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 300_000, cwd: BENCH });
  const core = coreDelta(before, coreTimes(), SERVER_CPU);
  const result = JSON.parse(out.trim().split('\n').pop());
  const foreign = core && HAS_TASKSET ? Math.max(0, (core.busy - core.irq - result.processCpuMicros) / core.total) * 100 : NaN;
  return { ...result, foreignServerCorePercent: foreign, foreignLoaderCorePercent: 0, disturbed: foreign > DISTURBED_SERVER_PERCENT };
}
