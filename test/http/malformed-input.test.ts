/**
 * Bad input at the HTTP edge gets a clear RFC 6749-shaped error, never a 500, a
 * stack trace or a hang.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { makeFixture, SECRETS } from '../support/fixture.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

/** Sends raw bytes and returns the raw response (or what came before the server closed). */
function raw(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let data = '';
    socket.on('data', (chunk) => (data += chunk));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
    socket.setTimeout(5000, () => reject(new Error('server hung')));
  });
}

describe('malformed input', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config });
  });
  after(() => server.close());

  const tokenPost = (body: string | Buffer, contentType = 'application/x-www-form-urlencoded', extra: Record<string, string> = {}) =>
    fetch(`${server.url}/token`, { method: 'POST', headers: { 'content-type': contentType, ...basic('basic-client', SECRETS.basic), ...extra }, body });

  it('refuses a wrong content type with invalid_request', async () => {
    for (const type of ['application/json', 'text/plain', 'multipart/form-data; boundary=x']) {
      const res = await tokenPost('{"grant_type":"client_credentials"}', type);
      assert.equal(res.status, 400, type);
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_request');
    }
  });

  it('refuses a missing content type', async () => {
    const res = await fetch(`${server.url}/token`, { method: 'POST', headers: basic('basic-client', SECRETS.basic) });
    assert.equal(res.status, 400);
  });

  it('caps the body size with 413', async () => {
    const res = await tokenPost(`grant_type=client_credentials&pad=${'a'.repeat(70 * 1024)}`);
    assert.equal(res.status, 413);
    const body = (await res.json()) as { error: string };
    assert.equal(body.error, 'invalid_request');
  });

  it('survives bad percent-encoding and invalid UTF-8', async () => {
    for (const body of ['grant_type=%E0%A4%A&scope=%', Buffer.from([0x67, 0x3d, 0xff, 0xfe, 0x26])]) {
      const res = await tokenPost(body);
      assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
      assert.ok(typeof ((await res.json()) as { error: string }).error === 'string');
    }
  });

  it('refuses malformed Basic credentials with invalid_client', async () => {
    for (const authorization of [
      'Basic',
      'Basic !!!notbase64',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
      `Basic ${Buffer.from('%zz:x').toString('base64')}`,
    ]) {
      const res = await tokenPost('grant_type=client_credentials', undefined, { authorization });
      assert.equal(res.status, 401, authorization);
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
    }
  });

  it('answers 405 with Allow for the wrong method, 404 for unknown paths', async () => {
    const get = await fetch(`${server.url}/token`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    const post = await fetch(`${server.url}/jwks`, { method: 'POST' });
    assert.equal(post.status, 405);
    const missing = await fetch(`${server.url}/nope`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: string }).error, 'not_found');
  });

  it('answers malformed HTTP with 400 and closes', async () => {
    const response = await raw(server.url, 'GARBAGE\r\n\r\n');
    assert.match(response, /^HTTP\/1\.1 400/);
  });

  it('never leaks a stack trace', async () => {
    const res = await tokenPost(
      'grant_type=client_credentials&client_assertion=a.b.c&client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_id=jwt-client',
      undefined,
      { authorization: '' },
    );
    const text = await res.text();
    assert.doesNotMatch(text, /at .*\.(ts|js):\d+/);
    assert.equal(res.status, 401);
  });

  it('echoes a well-formed X-Request-Id and replaces a bad one', async () => {
    const good = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    assert.equal(good.headers.get('x-request-id'), 'abc-123');
    const bad = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
    assert.notEqual(bad.headers.get('x-request-id'), 'bad id with spaces');
  });
});
