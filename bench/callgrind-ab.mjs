#!/usr/bin/env node
/**
 * A/B by instruction count, for a machine too busy for timings: each Tessera build
 * (ROOT: a checkout with `dist/` built, as for bench/ab.mjs) runs under
 * `valgrind --tool=callgrind` with instrumentation off; after a warm-up, instrumentation
 * is switched on for a fixed number of client_credentials requests (JWT, ES256, the
 * bench client, client_secret_basic) and the instructions executed by the whole process
 * (every thread) are divided by the requests. Kernel time is not counted, and under
 * valgrind the process runs some 30x slower, so batching driven by timers (the audit
 * log's 250 ms flush) sees smaller batches than at full speed. The builds run one
 * after the other (or all at once with PARALLEL=1: counts do not depend on the load).
 *
 *   node bench/callgrind-ab.mjs ROOT [ROOT ...]
 *
 * Environment: REQUESTS (measured, default 2000), WARMUP (default 1500), API=ref for
 * reference tokens, KEEP=DIR to keep each build's callgrind output there (read it with
 * callgrind_annotate).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BASIC, JWT_API, REF_API, tesseraConfigYaml, tokenRequestBody } from './lib/fixtures.mjs';

const run = promisify(execFile);
const BENCH = dirname(fileURLToPath(import.meta.url));
const AUTOCANNON = join(BENCH, 'node_modules', '.bin', 'autocannon');
const roots = process.argv.slice(2).map((r) => resolve(r));
if (roots.length === 0) {
  console.error('usage: node bench/callgrind-ab.mjs ROOT [ROOT ...]');
  process.exit(2);
}
const requests = Number(process.env.REQUESTS ?? 2000);
const warmup = Number(process.env.WARMUP ?? 1500);
const body = tokenRequestBody(process.env.API === 'ref' ? REF_API : JWT_API);

const load = async (port, amount) => {
  const { stdout } = await run(
    AUTOCANNON,
    ['-j', '-c', '4', '-t', '300', '-a', String(amount), '-m', 'POST', '-H', `authorization=${BASIC}`, '-H', 'content-type=application/x-www-form-urlencoded', '-b', body, `http://127.0.0.1:${port}/token`],
    { maxBuffer: 1e8 },
  );
  const result = JSON.parse(stdout);
  return { ok: result['2xx'], failed: result.non2xx + result.errors };
};

async function measure(root) {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cg-'));
  writeFileSync(join(dir, 'bench.yaml'), tesseraConfigYaml());
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const out = join(dir, 'callgrind.out');
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`, process.execPath, join(root, 'bin/tessera.js'), 'start', '--config', join(dir, 'bench.yaml'), '--data', join(dir, 'data'), '--port', String(port)],
    { env: { ...process.env, TESSERA_LOG_LEVEL: 'silent', NODE_ENV: 'production', TESSERA_WORKERS: '1' }, stdio: 'ignore' },
  );
  for (let i = 0; i < 1200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  await load(port, warmup);
  await run('callgrind_control', ['-i', 'on', String(child.pid)]);
  const measured = await load(port, requests);
  await run('callgrind_control', ['-i', 'off', String(child.pid)]);
  await run('callgrind_control', ['-d', String(child.pid)]);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  const dump = readdirSync(dir).find((f) => f.startsWith('callgrind.out.'));
  const text = readFileSync(join(dir, dump), 'utf8');
  const total = Number(/^totals: (\d+)/m.exec(text)?.[1]);
  if (process.env.KEEP) {
    mkdirSync(process.env.KEEP, { recursive: true });
    writeFileSync(join(process.env.KEEP, `${root.replaceAll('/', '_')}.callgrind`), text);
  }
  return { instructions: total / measured.ok, failed: measured.failed };
}

const results = process.env.PARALLEL ? await Promise.all(roots.map(measure)) : [];
if (!process.env.PARALLEL) for (const root of roots) results.push(await measure(root));
roots.forEach((root, i) => {
  const { instructions, failed } = results[i];
  console.log(`${root}: ${(instructions / 1000).toFixed(1)} k instructions per request${failed ? `, ${failed} FAILED` : ''}`);
});
