/** Logs are useful (one line per request, with an id) and never carry a secret or a token. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeFixture, MAPPERS, SECRETS } from '../support/fixture.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

describe('request logs', () => {
  let server: TestServer;
  const logs: string[] = [];
  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config, logs });
  });
  after(() => server.close());

  it('log each request with an id, and no secret or token anywhere', async () => {
    const secrets: string[] = [...Object.values(SECRETS)];
    const jwt = await server.post('/token', { grant_type: 'client_credentials' }, basic('basic-client', SECRETS.basic));
    const ref = await server.post('/token', { grant_type: 'client_credentials', client_id: 'post-client', client_secret: SECRETS.post, resource: MAPPERS });
    secrets.push(jwt.body.access_token as string, ref.body.access_token as string);
    await server.post('/introspect', { token: ref.body.access_token as string }, basic('introspector', SECRETS.introspector));
    await server.post('/revoke', { token: ref.body.access_token as string, client_id: 'post-client', client_secret: SECRETS.post });
    await server.post('/token', { grant_type: 'client_credentials' }, basic('basic-client', 'a-wrong-secret-that-is-long'));
    secrets.push('a-wrong-secret-that-is-long');
    await fetch(`${server.url}/token?client_secret=${SECRETS.basic}`, { method: 'POST' });

    const requests = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
    assert.equal(requests.length, 6);
    for (const line of requests) assert.equal(typeof line.reqId, 'string');
    assert.deepEqual(
      requests.map((l) => l.status),
      [200, 200, 200, 200, 401, 400],
    );
    const all = logs.join('\n');
    for (const secret of secrets) {
      assert.ok(!all.includes(secret), `a log line contains ${secret.slice(0, 12)}...`);
      assert.ok(!all.includes(Buffer.from(`basic-client:${secret}`).toString('base64')));
    }
  });
});
