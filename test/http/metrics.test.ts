/** GET /metrics (Prometheus text format), /healthz and /readyz. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestBrowser } from '../support/browser.js';
import { CALLBACK, makeFixture, MAPPERS, SECRETS } from '../support/fixture.js';
import { authorizeUrl, submitSignIn } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

/** The value of one sample line, e.g. value(text, 'x_total{a="b"}'); undefined when absent. */
function value(text: string, sample: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

describe('metrics and health', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config });
  });
  after(() => server.close());

  const scrape = async () => {
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  it('counts requests per route pattern, latency, tokens per kind and errors per OAuth code', async () => {
    for (let i = 0; i < 3; i++) await server.post('/token', { grant_type: 'client_credentials' }, basic('basic-client', SECRETS.basic));
    await server.post('/token', { grant_type: 'client_credentials', client_id: 'post-client', client_secret: SECRETS.post, resource: MAPPERS });
    await server.post('/token', { grant_type: 'client_credentials' }, basic('basic-client', 'a-wrong-secret-that-is-long'));
    await server.post('/token', { grant_type: 'password' }, basic('basic-client', SECRETS.basic));
    await fetch(`${server.url}/no/such/path`);
    await fetch(`${server.url}/interaction/abc123`);
    const text = await scrape();
    assert.equal(value(text, 'http_requests_total{route="/token",method="POST",status="200"}'), 4);
    assert.equal(value(text, 'http_requests_total{route="/token",method="POST",status="401"}'), 1);
    assert.equal(value(text, 'http_requests_total{route="unmatched",method="GET",status="404"}'), 1);
    assert.equal(value(text, 'http_requests_total{route="/interaction/:id",method="GET",status="400"}'), 1, 'the pattern, not the path');
    assert.equal(value(text, 'http_request_duration_seconds_count{route="/token",method="POST"}'), 6);
    assert.ok((value(text, 'http_request_duration_seconds_sum{route="/token",method="POST"}') ?? 0) > 0);
    assert.equal(value(text, 'tessera_tokens_issued_total{kind="access_token"}'), 4);
    assert.equal(value(text, 'tessera_oauth_errors_total{error="invalid_client"}'), 1);
    assert.equal(value(text, 'tessera_oauth_errors_total{error="unsupported_grant_type"}'), 1);
    assert.equal(value(text, 'tessera_oauth_errors_total{error="not_found"}'), 1);
    assert.ok((value(text, 'tessera_catalog_cache_entries') ?? 0) >= 2);
    assert.ok(value(text, 'tessera_audit_queue_depth') !== undefined);
    assert.equal(value(text, 'tessera_audit_dropped_total'), 0);
    assert.match(text, /^process_cpu_seconds_total /m);
  });

  it('counts sign-ins per outcome', async () => {
    const browser = new TestBrowser();
    const page = await browser.follow(
      await browser.get(authorizeUrl(server.url, { client_id: 'calendar-app', response_type: 'code', redirect_uri: CALLBACK, scope: 'openid', state: 's' })),
      server.url,
    );
    await submitSignIn(browser, page, 'alice', 'not-alice-password');
    await submitSignIn(browser, page, 'alice');
    const text = await scrape();
    assert.equal(value(text, 'tessera_signins_total{outcome="failure"}'), 1);
    assert.equal(value(text, 'tessera_signins_total{outcome="success"}'), 1);
  });

  it('shows audit events waiting and then written', async () => {
    server.engine.audit.record({ type: 'key.rotated', outcome: 'success' });
    assert.ok((value(await scrape(), 'tessera_audit_queue_depth') ?? 0) >= 1);
    await server.engine.audit.flush();
    assert.equal(value(await scrape(), 'tessera_audit_queue_depth'), 0);
  });

  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { status: string }).status, 'ready');
  });
});
