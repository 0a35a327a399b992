/**
 * `tessera start --workers 2` as real processes on one SQLite file: connections are
 * spread over both workers, a change made through one worker reaches the other's
 * cache at once (the cache TTL is set to an hour, so only the primary's relay can do
 * it), a worker that is killed is restarted while the other keeps serving, the
 * metrics are merged, and SIGTERM stops everything with exit code 0.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { eventually, startWorkersMachine } from '../support/workers-machine.js';
import { tessera } from './run-cli.js';

/** One request on a connection of its own, so that node:cluster hands it to the next worker. */
function post(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return httpCall(url, 'POST', new URLSearchParams(form).toString(), { 'content-type': 'application/x-www-form-urlencoded', ...headers });
}

function httpCall(url: string, method: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`no answer from ${method} ${url} within 5 s`)));
    req.end(body);
  });
}

/**
 * The primary's worker processes (ps exits 1 when there are none). Only node processes
 * count: on a cold tsx cache the primary also has an esbuild child, which is not a worker.
 */
const workerPids = (primary: number) =>
  (spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', String(primary)], { encoding: 'utf8' }).stdout ?? '')
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\S+)/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && m[2] === 'node')
    .map((m) => Number(m[1]));

describe('tessera start --workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-workers-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  // A bound on the whole test: a primary that never stops fails it rather than hanging the suite.
  it('serves from two workers on one store, relays changes, restarts a dead worker and stops on SIGTERM', { timeout: 240_000 }, async () => {
    const data = join(dir, 'data');
    const masterKey = Buffer.alloc(32, 7).toString('base64url');
    const machine = startWorkersMachine({ data, args: ['--config', 'example.yaml'], env: { TESSERA_CACHE_TTL: '3600', TESSERA_MASTER_KEY: masterKey } });
    const { child, exited } = machine;
    try {
      const url = await eventually(() => /listening\s+(\S+)/.exec(machine.output())?.[1], 'the listening line');
      // The start-up lines can arrive in several chunks: wait for this one too.
      await eventually(() => /workers\s+2 processes/.test(machine.output()) || undefined, 'the workers line');
      const first = await eventually(() => (workerPids(child.pid!).length === 2 ? workerPids(child.pid!) : undefined), 'two workers');

      const taxi = { grant_type: 'client_credentials' };
      const basic = { authorization: `Basic ${Buffer.from('taxi-finder:taxi-finder-secret-change-me').toString('base64')}` };
      // Warm both workers' caches with the client.
      for (let i = 0; i < 6; i++) assert.equal((await post(`${url}/token`, taxi, basic)).status, 200);

      // Delete the client through the management API (one worker); every worker must refuse it at once.
      const pat = await tessera(
        [
          'tokens',
          'create',
          'pat',
          '--user',
          'admin',
          '--local',
          '--data',
          data,
          '--issuer',
          url,
          '--api',
          `${url}/api/v1`,
          '--scope',
          'write:clients',
          '--name',
          't',
        ],
        {
          env: { TESSERA_MASTER_KEY: masterKey },
        },
      );
      assert.equal(pat.code, 0, pat.err);
      const deleted = await httpCall(`${url}/api/v1/clients/taxi-finder`, 'DELETE', undefined, { authorization: `Bearer ${pat.out}` });
      assert.equal(deleted.status, 204, deleted.body);
      for (let i = 0; i < 6; i++) assert.equal((await post(`${url}/token`, taxi, basic)).status, 401, 'a worker still knew the deleted client');

      // Merged metrics: the /token requests of both workers are counted together.
      const metrics = await httpCall(`${url}/metrics`, 'GET');
      const tokenCalls = [...metrics.body.matchAll(/^http_requests_total\{route="\/token",method="POST",status="(\d+)"\} (\d+)/gm)].reduce(
        (n, m) => n + Number(m[2]),
        0,
      );
      assert.equal(tokenCalls, 12, metrics.body);

      // Kill one worker: the other keeps serving, and the primary starts a new one.
      process.kill(first[0]!, 'SIGKILL');
      const planner = {
        grant_type: 'client_credentials',
        client_id: 'delivery-planner',
        client_secret: 'delivery-planner-secret-change-me',
        resource: 'https://api.organizer.example',
      };
      // A connection handed to the dying worker is reset or never answered; a new one is served.
      await eventually(
        async () => ((await post(`${url}/token`, planner).catch(() => undefined))?.status === 200 ? true : undefined),
        'a token from the surviving worker',
      );
      const second = await eventually(() => {
        const pids = workerPids(child.pid!);
        return pids.length === 2 && !pids.includes(first[0]!) ? pids : undefined;
      }, 'the replacement worker');
      assert.ok(second.includes(first[1]!));
      for (let i = 0; i < 6; i++) assert.equal((await post(`${url}/token`, planner)).status, 200);

      child.kill('SIGTERM');
      assert.equal(await exited, 0, machine.output());
      assert.deepEqual(workerPids(child.pid!), []);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
