/**
 * Implicit and hybrid response types (legacy, opt-in per client): tokens in the
 * fragment or a form_post page, with at_hash and c_hash binding them to the ID token.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { TestBrowser, readForm } from '../support/browser.js';
import { CALLBACK, makeFixture } from '../support/fixture.js';
import { authorize, authorizeUrl } from '../support/sign-in.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
const halfHash = (v: string) => createHash('sha256').update(v).digest().subarray(0, 16).toString('base64url');
const LEGACY = 'https://legacy.test/callback';

describe('implicit and hybrid flows', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config });
  });
  after(() => server.close());

  const legacy = (responseType: string, extra: Record<string, string> = {}) => ({
    client_id: 'legacy-spa',
    response_type: responseType,
    redirect_uri: LEGACY,
    scope: 'openid profile read:calendars',
    state: 'st',
    nonce: 'nonce-123',
    ...extra,
  });

  it('returns id_token token in the fragment with at_hash', async () => {
    const browser = new TestBrowser();
    const params = await authorize(browser, server.url, legacy('id_token token'));
    assert.equal(params.token_type, 'Bearer');
    assert.equal(params.state, 'st');
    assert.equal(params.iss, server.url);
    const id = claimsOf(params.id_token!);
    assert.equal(id.nonce, 'nonce-123');
    assert.equal(id.at_hash, halfHash(params.access_token!));
  });

  it('puts the profile claims in the ID token when no access token is issued', async () => {
    const params = await authorize(new TestBrowser(), server.url, legacy('id_token'));
    assert.equal(params.access_token, undefined);
    assert.equal(claimsOf(params.id_token!).preferred_username, 'alice');
  });

  for (const type of ['code id_token', 'code token', 'code id_token token']) {
    it(`answers the hybrid ${type} with the right hashes`, async () => {
      const params = await authorize(new TestBrowser(), server.url, legacy(type));
      assert.match(params.code!, /^tsr_ac_/);
      const parts = type.split(' ');
      if (parts.includes('id_token')) {
        const id = claimsOf(params.id_token!);
        assert.equal(id.c_hash, halfHash(params.code!));
        if (parts.includes('token')) assert.equal(id.at_hash, halfHash(params.access_token!));
      }
      assert.equal(typeof params.access_token, parts.includes('token') ? 'string' : 'undefined');
    });
  }

  it('delivers with response_mode=form_post as an auto-submitting form', async () => {
    const browser = new TestBrowser();
    await authorize(browser, server.url, legacy('code id_token'));
    const page = await browser.get(authorizeUrl(server.url, legacy('code id_token', { response_mode: 'form_post' })));
    assert.equal(page.status, 200);
    const form = readForm(page.html);
    assert.equal(form.action, LEGACY);
    assert.equal(form.fields.state, 'st');
    assert.equal(form.fields.iss, server.url);
    assert.match(form.fields.code!, /^tsr_ac_/);
    assert.match(page.headers.get('content-security-policy') ?? '', /form-action 'self' https:\/\/legacy\.test/);
  });

  it('requires nonce and openid for ID tokens from the authorization endpoint', async () => {
    const browser = new TestBrowser();
    const { nonce: _n, ...noNonce } = legacy('id_token token');
    const missing = await browser.get(authorizeUrl(server.url, noNonce));
    const params = new URLSearchParams(new URL(missing.location!).hash.slice(1));
    assert.equal(params.get('error'), 'invalid_request');
    assert.match(params.get('error_description')!, /nonce/);
  });

  it('refuses token response types for clients that did not opt in, and tokens in a query', async () => {
    const browser = new TestBrowser();
    const page = await browser.get(
      authorizeUrl(server.url, { client_id: 'calendar-app', response_type: 'id_token token', redirect_uri: CALLBACK, scope: 'openid', nonce: 'n', state: 's' }),
    );
    const url = new URL(page.location!);
    assert.equal(url.search, '', 'never in the query');
    const params = new URLSearchParams(url.hash.slice(1));
    assert.equal(params.get('error'), 'unsupported_response_type');
    const query = await browser.get(authorizeUrl(server.url, legacy('id_token token', { response_mode: 'query' })));
    assert.ok(new URL(query.location!).hash.includes('error=invalid_request'), 'the error goes to the fragment too');
  });
});
