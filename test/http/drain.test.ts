/**
 * The HTTP side of graceful shutdown: draining stops new connections, lets requests in
 * flight finish (and cuts them at the bound), and /readyz answers 503 meanwhile.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { AuthorizationServer } from '../../src/core/authorization-server.js';
import { validateConfig } from '../../src/core/config/load.js';
import { createRequestHandler, listen, type RunningServer } from '../../src/http/http-server.js';
import { HttpMetrics } from '../../src/http/metrics.js';
import { pageViews } from '../../src/pages/page-views.js';
import { makeFixture, SECRETS } from '../support/fixture.js';
import { createTestStore } from '../support/test-store.js';

/** Starts a POST /token whose body is held back until `finish` is called. */
function slowTokenRequest(url: string) {
  const body = `grant_type=client_credentials&client_id=post-client&client_secret=${SECRETS.post}`;
  const req = request(`${url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length } });
  const response = new Promise<{ status: number; connection: string | undefined } | 'cut'>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
    });
    req.on('error', () => resolve('cut'));
  });
  req.write(body.slice(0, 10));
  req.flushHeaders();
  return { response, finish: () => req.end(body.slice(10)) };
}

describe('draining', () => {
  const logger = pino({ level: 'silent' });
  let config: unknown;
  before(async () => {
    config = (await makeFixture()).config;
  });

  async function start(): Promise<{ running: RunningServer; dispose(): Promise<void> }> {
    const { store, dispose } = await createTestStore();
    const running = await listen({ host: '127.0.0.1', port: 0, logger }, async (url) => {
      const engine = await AuthorizationServer.create({ issuer: url, store, masterKey: randomBytes(32), views: pageViews });
      await engine.apply(validateConfig(config, 'test'));
      return engine;
    });
    return {
      running,
      async dispose() {
        await running.engine.close();
        await dispose();
      },
    };
  }

  it('lets a request in flight finish, then refuses new connections', async () => {
    const { running, dispose } = await start();
    after(dispose);
    const arrived = new Promise((r) => running.http.once('request', r));
    const slow = slowTokenRequest(running.url);
    await arrived; // the request is in flight: no sleeping, which a loaded machine makes flaky
    const drained = running.drain(5000);
    await new Promise((r) => setTimeout(r, 50));
    await assert.rejects(fetch(`${running.url}/healthz`), 'no new connections');
    slow.finish();
    assert.deepEqual(await slow.response, { status: 200, connection: 'close' });
    assert.deepEqual(await drained, { cut: 0 });
  });

  it('cuts what is still running at the bound', async () => {
    const { running, dispose } = await start();
    after(dispose);
    const arrived = new Promise((r) => running.http.once('request', r));
    const stuck = slowTokenRequest(running.url);
    await arrived;
    const started = Date.now();
    assert.deepEqual(await running.drain(200), { cut: 1 });
    assert.ok(Date.now() - started < 2000);
    assert.equal(await stuck.response, 'cut');
  });

  it('answers /readyz with 503 while draining', async () => {
    const { store, dispose } = await createTestStore();
    const engine = await AuthorizationServer.create({ issuer: 'http://127.0.0.1', store, masterKey: randomBytes(32), views: pageViews });
    const state = { metrics: new HttpMetrics(engine), draining: false };
    const http = createServer(createRequestHandler(engine, logger, state));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    try {
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      state.draining = true;
      const res = await fetch(`${url}/readyz`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { status: 'shutting down' });
      assert.equal(res.headers.get('connection'), 'close');
      assert.equal((await fetch(`${url}/healthz`)).status, 200, 'still alive');
    } finally {
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
      state.metrics.close();
      await engine.close();
      await dispose();
    }
  });
});
