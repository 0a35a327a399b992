/**
 * Idle RSS of one `tessera start` process, on its own: the figure the runner reports as
 * "RSS idle MB" (VmRSS after start-up with the bench configuration applied and the
 * discovery request), read after a few seconds' rest, over several start-ups, with the
 * median. A quick check for work on memory without a full `npm run bench`.
 *
 *   npm run build && node bench/idle-rss.mjs [runs=5] [restSeconds=3]
 *
 * Extra node flags for the server go through NODE_OPTIONS, as for any Node.js process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { memoryMB } from './lib/proc.mjs';
import { stopServer } from './lib/server-process.mjs';
import { discover, SERVERS } from './lib/servers.mjs';

const runs = Number(process.argv[2] ?? 5);
const restSeconds = Number(process.argv[3] ?? 3);

const readings = [];
for (let i = 0; i < runs; i++) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-idle-rss-'));
  let running;
  try {
    running = await SERVERS.tessera.start(dataDir);
    await discover(running.url);
    await sleep(restSeconds * 1000);
    const rss = memoryMB(running.pid, 'VmRSS');
    readings.push(rss);
    console.log(`start-up ${i + 1}: ${rss.toFixed(1)} MB`);
  } finally {
    if (running) await stopServer(running);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
const sorted = [...readings].sort((a, b) => a - b);
const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
console.log(`idle RSS: median ${median.toFixed(1)} MB, ${sorted[0].toFixed(1)} - ${sorted.at(-1).toFixed(1)} MB over ${runs} start-ups`);
