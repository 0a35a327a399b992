/**
 * What an idle `tessera start --workers 2` loads, process by process (every ES module
 * is logged with its pid by test/support/log-module-loads.mjs): the primary runs the
 * workers without the engine, the store or the HTTP server (cli/verbs/start.ts imports
 * cli/serve-process.ts only in a serving process), and a serving worker that has
 * answered requests has not loaded the WebAuthn library, which only a passkey ceremony
 * needs (core/mfa/passkeys.ts). Idle memory per process (BENCHMARKS.md, "Idle RSS")
 * depends on both.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { eventually, startWorkersMachine } from '../support/workers-machine.js';

/** Modules only a serving process needs. */
const SERVING_ONLY = ['/src/cli/serve-process.ts', '/src/server/tessera-server.ts', '/src/core/authorization-server.ts', '/src/http/http-server.ts'];
const WEBAUTHN = '/node_modules/@simplewebauthn/server/';

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    // agent: false, a connection of its own: node:cluster hands each to the next worker.
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`no answer from ${url} within 5 s`)));
    req.end();
  });
}

/** The module URLs each process loaded, by pid. */
function loadsByPid(log: string): Map<number, string[]> {
  const byPid = new Map<number, string[]>();
  if (!existsSync(log)) return byPid;
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const pid = Number(line.slice(0, space));
    byPid.set(pid, [...(byPid.get(pid) ?? []), line.slice(space + 1)]);
  }
  return byPid;
}

describe('tessera start loads lazily', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-lazy-start-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the --workers primary loads no server module; an idle worker has not loaded the WebAuthn library', { timeout: 180_000 }, async () => {
    const log = join(dir, 'loads.log');
    const machine = startWorkersMachine({
      data: join(dir, 'data'),
      env: { TESSERA_TEST_LOAD_LOG: log },
      nodeArgs: ['--import', './test/support/log-module-loads.mjs'],
    });
    const { child, exited } = machine;
    try {
      const url = await eventually(() => /listening\s+(\S+)/.exec(machine.output())?.[1], 'the listening line');
      // Both workers past loading the engine (which imports core/mfa/passkeys.ts), and serving requests.
      const engineLoaded = () => [...loadsByPid(log)].filter(([, urls]) => urls.some((u) => u.endsWith('/src/core/mfa/passkeys.ts'))).length;
      await eventually(() => (engineLoaded() === 2 ? true : undefined), 'two workers with the engine loaded');
      for (let i = 0; i < 4; i++) assert.equal(await get(`${url}/.well-known/openid-configuration`), 200);
      await new Promise((r) => setTimeout(r, 500));

      const byPid = loadsByPid(log);
      const primary = byPid.get(child.pid!) ?? [];
      assert.ok(
        primary?.some((u) => u.endsWith('/src/cli/verbs/start.ts')),
        'the log has the primary’s modules',
      );
      for (const module of SERVING_ONLY) assert.equal(primary.filter((u) => u.endsWith(module)).length, 0, `the primary loaded ${module}`);
      const workers = [...byPid].filter(([pid]) => pid !== child.pid);
      assert.equal(workers.length, 2);
      for (const [pid, urls] of workers) {
        assert.ok(
          urls.some((u) => u.endsWith('/src/core/mfa/passkeys.ts')),
          `worker ${pid} has the passkeys module`,
        );
        assert.equal(urls.filter((u) => u.includes(WEBAUTHN)).length, 0, `worker ${pid} loaded the WebAuthn library`);
      }
    } finally {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
  });
});
