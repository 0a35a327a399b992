/**
 * Usage reporting against a real Tessera: the calls an API serves with a PAT or a JWT
 * come back as `api.called` audit events (path without its query) and as the PAT's last
 * use; a full queue drops and counts; a Tessera that is down costs the API nothing.
 * Server and SDK share a frozen clock; flushes are explicit (long intervals) except
 * where the timer itself is under test.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { FrozenClock } from '../../src/core/clock.js';
import type { AuditRecord } from '../../src/core/audit/audit-event.js';
import { requireAuth } from '../../packages/resource-server/src/adapters/express.js';
import {
  createAuthenticator,
  requirePermissions,
  requireScopes,
  type Authenticator,
  type AuthenticatorOptions,
} from '../../packages/resource-server/src/index.js';
import { makeFixture, ORGANIZER, SECRETS } from '../support/fixture.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';
import { rawGet, serveWith, type AdapterName } from './support/apps.js';

interface App {
  url: string;
  close(): Promise<void>;
}

/** The API under test: a few routes with different statuses, all behind requireAuth. */
function serveExpress(auth: Authenticator): Promise<App> {
  const app = express();
  app.get('/calendars', requireAuth(auth, requireScopes('read:calendars')), (req, res) => void res.json({ subject: req.auth!.subject }));
  app.get('/calendars/:id/events', requireAuth(auth), (_req, res) => void res.json([]));
  app.post('/notes', requireAuth(auth), (_req, res) => void res.status(201).json({ created: true }));
  app.get('/admin', requireAuth(auth, requirePermissions('admin:all')), (_req, res) => void res.json({}));
  app.use('/v1', requireAuth(auth)); // nothing under /v1: Express answers 404 after authentication
  return new Promise((resolve) => {
    const server: Server = app.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((done) => (server.closeAllConnections(), server.close(() => done()))),
      }),
    );
  });
}

async function call(app: App, path: string, authorization: string, method = 'GET'): Promise<number> {
  const response = await fetch(`${app.url}${path}`, { method, headers: { authorization } });
  await response.text();
  return response.status;
}

/** A response's 'close' (when the call is recorded) may come a tick after the client read it. */
async function until(condition: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('resource-server: usage reporting to a real Tessera', () => {
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));
  let server: TestServer;
  let aliceId: string;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);

  const options = (usageReporting: AuthenticatorOptions['usageReporting']): AuthenticatorOptions => ({
    issuer: server.url,
    audience: ORGANIZER,
    clock,
    introspection: { clientId: 'introspector', clientSecret: SECRETS.introspector },
    usageReporting,
  });
  const jwt = async (target = server) => {
    const answer = await target.post('/token', { grant_type: 'client_credentials', resource: ORGANIZER }, basic('basic-client', SECRETS.basic));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const token = answer.body.access_token as string;
    const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;
    return { token, jti };
  };
  const apiCalls = async (tokenId: string): Promise<AuditRecord[]> => {
    await server.engine.audit.flush();
    const { events } = await server.engine.audit.query({ type: 'api.called', limit: 1000 });
    return events.filter((e) => e.tokenId === tokenId).reverse(); // oldest first
  };

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    server = await startTestServer({ config: (await makeFixture()).config, clock });
    aliceId = (await server.engine.store.getUserByUsername('alice'))!.id;
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await server.close();
    assert.deepEqual(unhandled, [], 'nothing was thrown out of the reporter');
  });

  describe('an Express API with a PAT and a JWT', () => {
    let auth: Authenticator;
    let app: App;
    let pat: { token: string; id: string };
    let machine: { token: string; jti: string };
    before(async () => {
      auth = createAuthenticator(options({ enabled: true, flushIntervalMs: 60_000 }));
      app = await serveExpress(auth);
      const created = await server.engine.credentials.createPersonalAccessToken(aliceId, {
        name: 'usage',
        api: ORGANIZER,
        scopes: ['read:calendars'],
        expiresIn: 3600,
      });
      pat = { token: created.token, id: created.summary.id };
      machine = await jwt();
    });
    after(async () => {
      await auth.close();
      await app.close();
    });

    it('reports one api.called event per call, with method, path without the query, status, token id and subject', async () => {
      const patCalls: [string, string, number][] = [
        ['GET', '/calendars?access_token=leaked-in-a-query&x=1', 200],
        ['GET', '/calendars/7/events?since=2026-01-01#frag', 200],
        ['POST', '/notes', 201],
        ['GET', '/admin', 403],
        ['GET', '/v1/nothing-here?q=1', 404],
      ];
      const jwtCalls: [string, string, number][] = [
        ['GET', '/calendars', 200],
        ['GET', '/calendars/42/events?page=2', 200],
        ['POST', '/notes?draft=true', 201],
      ];
      for (const [method, path, status] of patCalls) assert.equal(await call(app, path, `Bearer ${pat.token}`, method), status, path);
      for (const [method, path, status] of jwtCalls) assert.equal(await call(app, path, `Bearer ${machine.token}`, method), status, path);
      assert.equal(await call(app, '/calendars', 'Bearer not-a-token'), 401); // no identity: not reported
      await until(() => auth.usage.queued === 8, '8 queued calls');
      assert.equal(auth.usage.sent, 0, 'nothing is sent before the interval or a flush');

      await auth.flush();
      assert.deepEqual({ ...pick(auth.usage) }, { enabled: true, queued: 0, sent: 8, failed: 0, dropped: 0 });

      const strip = (path: string) => path.split(/[?#]/)[0];
      const patEvents = await apiCalls(pat.id);
      assert.deepEqual(
        patEvents.map((e) => [e.details?.method, e.details?.path, e.details?.status]),
        patCalls.map(([method, path, status]) => [method, strip(path), status]),
      );
      for (const event of patEvents) {
        assert.equal(event.subject, aliceId);
        assert.deepEqual(event.actor, { type: 'client', id: 'introspector' });
        assert.equal(event.api, ORGANIZER);
        assert.deepEqual(event.scopes, ['read:calendars']);
        assert.equal(event.outcome, (event.details!.status as number) < 400 ? 'success' : 'failure');
        assert.equal(typeof event.details!.durationMs, 'number');
        assert.equal(event.details!.calledAt, clock.now() * 1000);
      }
      const jwtEvents = await apiCalls(machine.jti);
      assert.deepEqual(
        jwtEvents.map((e) => [e.details?.method, e.details?.path, e.details?.status, e.subject, e.clientId]),
        jwtCalls.map(([method, path, status]) => [method, strip(path), status, 'basic-client', 'basic-client']),
      );
      const all = JSON.stringify(await server.engine.audit.query({ type: 'api.called', limit: 1000 }));
      assert.ok(!all.includes('leaked-in-a-query'), 'a query string never reaches the log');
      assert.ok(!all.includes(pat.token) && !all.includes(machine.token), 'nor does a token');
    });

    it("records the PAT's last use from the reports, by token id", async () => {
      await server.engine.usage.flush();
      const first = (await server.engine.credentials.get(pat.id))!.lastUsedAt;
      assert.equal(first, clock.now(), 'introspection recorded the first use');

      // Within the SDK's 5 s introspection cache: only the report can tell Tessera about this use.
      clock.advance(3);
      const introspections = auth.stats.introspections;
      assert.equal(await call(app, '/calendars', `Bearer ${pat.token}`), 200);
      assert.equal(auth.stats.introspections, introspections, 'served from the cache');
      await until(() => auth.usage.queued === 1, 'the call queued');
      await server.engine.usage.flush();
      assert.equal((await server.engine.credentials.get(pat.id))!.lastUsedAt, first, 'not yet reported');

      await auth.flush();
      await server.engine.usage.flush();
      assert.equal((await server.engine.credentials.get(pat.id))!.lastUsedAt, clock.now());

      // A report that names another subject for this token id does not count as its use.
      clock.advance(3);
      const bogus = [{ method: 'GET', path: '/x', status: 200, tokenId: pat.id, subject: 'someone-else', calledAt: clock.now() * 1000 }];
      const answer = await server.post('/audit/api-calls', { calls: JSON.stringify(bogus) }, basic('introspector', SECRETS.introspector));
      assert.equal(answer.status, 202);
      await server.engine.usage.flush();
      assert.equal((await server.engine.credentials.get(pat.id))!.lastUsedAt, clock.now() - 3);
    });
  });

  it('drops and counts calls past maxQueue, without refusing or slowing a request', async () => {
    const auth = createAuthenticator(options({ enabled: true, flushIntervalMs: 60_000, maxQueue: 3 }));
    const app = await serveExpress(auth);
    try {
      const { token, jti } = await jwt();
      const started = performance.now();
      const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => call(app, `/calendars/${i}/events`, `Bearer ${token}`)));
      const elapsed = performance.now() - started;
      assert.deepEqual(new Set(statuses), new Set([200]));
      assert.ok(elapsed < 2000, `20 calls took ${elapsed} ms`);
      await until(() => auth.usage.queued + auth.usage.dropped === 20, 'every call recorded or dropped');
      assert.equal(auth.usage.queued, 3);
      assert.equal(auth.usage.dropped, 17);
      await auth.flush();
      assert.equal(auth.usage.sent, 3);
      assert.equal((await apiCalls(jti)).length, 3);
      // Room again once sent.
      assert.equal(await call(app, '/calendars', `Bearer ${token}`), 200);
      await until(() => auth.usage.queued === 1, 'the next call queued');
      assert.equal(auth.usage.dropped, 17);
    } finally {
      await auth.close();
      await app.close();
    }
  });

  /** A fetch that remembers the size of each report it posts. */
  const countingFetch = () => {
    const reports: number[] = [];
    const fetchImpl = (url: string, init: RequestInit) => {
      if (url.endsWith('/audit/api-calls')) reports.push(String(init.body).length);
      return fetch(url, init);
    };
    return { reports, fetchImpl };
  };

  it('sends on its own timer, in batches of maxBatch', async () => {
    const { reports, fetchImpl } = countingFetch();
    const auth = createAuthenticator({ ...options({ enabled: true, flushIntervalMs: 20, maxBatch: 2 }), fetch: fetchImpl });
    const app = await serveExpress(auth);
    try {
      const { token, jti } = await jwt();
      for (let i = 0; i < 5; i++) assert.equal(await call(app, `/calendars/${i}/events`, `Bearer ${token}`), 200);
      await until(() => auth.usage.sent === 5, 'the timer to send 5 calls');
      assert.ok(reports.length >= 3, `${reports.length} reports for 5 calls in batches of 2`);
      assert.deepEqual(
        (await apiCalls(jti)).map((e) => e.details?.path),
        [0, 1, 2, 3, 4].map((i) => `/calendars/${i}/events`),
      );
    } finally {
      await auth.close();
      await app.close();
    }
  });

  it('keeps answering when Tessera is down: failures are counted, a batch is retried once, then dropped', async () => {
    const down = await startTestServer({ config: (await makeFixture()).config, clock });
    const auth = createAuthenticator({ ...options({ enabled: true, flushIntervalMs: 60_000 }), issuer: down.url, timeoutMs: 1000 });
    const app = await serveExpress(auth);
    let stopped = false;
    try {
      const { token } = await jwt(down);
      assert.equal(await call(app, '/calendars', `Bearer ${token}`), 200); // the JWKS is now cached
      await until(() => auth.usage.queued === 1, 'the first call queued');
      await auth.flush();
      assert.equal(auth.usage.sent, 1);

      await down.close();
      stopped = true;
      for (let i = 0; i < 4; i++) assert.equal(await call(app, `/calendars/${i}/events`, `Bearer ${token}`), 200);
      await until(() => auth.usage.queued === 4, '4 queued calls');

      await auth.flush(); // fails: the batch waits for one retry
      assert.deepEqual(pick(auth.usage), { enabled: true, queued: 4, sent: 1, failed: 1, dropped: 0 });
      assert.match(auth.usage.lastError ?? '', /audit\/api-calls/);
      assert.equal(await call(app, '/calendars', `Bearer ${token}`), 200);
      await until(() => auth.usage.queued === 5, 'one more call queued');

      await auth.flush(); // the retry fails too: its 4 calls are dropped; the flush stops there
      assert.deepEqual(pick(auth.usage), { enabled: true, queued: 1, sent: 1, failed: 2, dropped: 4 });

      await auth.close(); // one more try for the last call, then it is counted as dropped
      assert.deepEqual(pick(auth.usage), { enabled: true, queued: 0, sent: 1, failed: 3, dropped: 5 });
      await auth.close();
      assert.deepEqual(pick(auth.usage), { enabled: true, queued: 0, sent: 1, failed: 3, dropped: 5 }, 'closing twice is harmless');
      assert.equal(await call(app, '/calendars', `Bearer ${token}`), 200, 'the API still answers after close');
      await until(() => auth.usage.dropped === 6, 'a call after close is dropped');
    } finally {
      await auth.close();
      await app.close();
      if (!stopped) await down.close();
    }
  });

  it('shapes odd calls so that Tessera accepts them, and splits reports below its 64 KiB form limit', async () => {
    const { reports, fetchImpl } = countingFetch();
    const auth = createAuthenticator({ ...options({ enabled: true, flushIntervalMs: 60_000 }), fetch: fetchImpl });
    try {
      const { token, jti } = await jwt();
      const result = await auth.authenticate({ method: 'GET', url: '/', headers: { authorization: `Bearer ${token}` } });
      assert.ok(result.ok);
      const url = `/p/${'%'.repeat(5000)}?q=secret`; // 2000 characters kept, each 3 once form-encoded
      for (let i = 0; i < 40; i++) auth.recordCall({ principal: result.principal, method: 'get', url, status: 0, durationMs: -5 });
      await auth.flush();
      assert.deepEqual(pick(auth.usage), { enabled: true, queued: 0, sent: 40, failed: 0, dropped: 0 }, auth.usage.lastError);
      assert.ok(reports.length > 1 && reports.every((size) => size <= 60_000), `report sizes ${reports.join(', ')}`);
      const events = await apiCalls(jti);
      assert.equal(events.length, 40);
      assert.deepEqual(events[0]!.details, { method: 'GET', path: url.slice(0, 2000), status: 499, durationMs: 0, calledAt: clock.now() * 1000 });
    } finally {
      await auth.close();
    }
  });

  for (const adapter of ['express', 'fastify', 'hono', 'node-http'] as AdapterName[]) {
    it(`${adapter}: reports each call once, guard refusals and layered middleware included`, async () => {
      const auth = createAuthenticator(options({ enabled: true, flushIntervalMs: 60_000 }));
      const app = await serveWith[adapter](auth);
      try {
        const { token, jti } = await jwt();
        assert.equal((await rawGet(app.url, '/calendars/7/events?since=today', `Bearer ${token}`)).status, 200);
        assert.equal((await rawGet(app.url, '/admin', `Bearer ${token}`)).status, 403);
        assert.equal((await rawGet(app.url, '/layered/x?y=1', `Bearer ${token}`)).status, 200);
        assert.equal((await rawGet(app.url, '/calendars', 'Bearer tsr_at_nope')).status, 401);
        await until(() => auth.usage.queued === 3, '3 queued calls');
        await auth.flush();
        assert.equal(auth.usage.sent, 3);
        assert.deepEqual(
          (await apiCalls(jti)).map((e) => [e.details?.method, e.details?.path, e.details?.status]),
          [
            ['GET', '/calendars/7/events', 200],
            ['GET', '/admin', 403],
            ['GET', '/layered/x', 200],
          ],
        );
      } finally {
        await auth.close();
        await app.close();
      }
    });
  }

  it('is off unless asked for, and needs the introspection client', () => {
    const plain = createAuthenticator({ issuer: server.url, audience: ORGANIZER });
    assert.equal(plain.usage.enabled, false);
    assert.equal(createAuthenticator(options({ enabled: false })).usage.enabled, false);
    assert.equal(createAuthenticator(options({})).usage.enabled, true);
    assert.throws(() => createAuthenticator({ issuer: server.url, audience: ORGANIZER, usageReporting: { enabled: true } }), TypeError);
    for (const bad of [{ maxBatch: 101 }, { maxQueue: 0 }, { flushIntervalMs: -1 }, { endpoint: '/audit' }, { enabled: 'yes' }, { batch: 1 }]) {
      assert.throws(() => createAuthenticator(options(bad as AuthenticatorOptions['usageReporting'])), TypeError, JSON.stringify(bad));
    }
  });
});

function pick(usage: Authenticator['usage']) {
  const { enabled, queued, sent, failed, dropped } = usage;
  return { enabled, queued, sent, failed, dropped };
}
