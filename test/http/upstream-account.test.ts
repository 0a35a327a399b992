/**
 * The account page and upstream identities: signing in to /account through a provider,
 * linking one to a password account, unlinking it, and never the last way to sign in.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateConfig } from '../../src/core/config/load.js';
import { readForm, TestBrowser } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { openAndFollow, providerLink } from '../support/upstream-flow.js';
import { startUpstreamOp, type UpstreamOp } from '../support/upstream-op.js';

describe('account page: upstream identities', () => {
  let server: TestServer;
  let op: UpstreamOp;

  before(async () => {
    server = await startTestServer();
    op = await startUpstreamOp(`${server.url}/upstream/corp/callback`);
    const config = {
      users: [{ username: 'erin', password: 'erin-password-1' }],
      identityProviders: [{ id: 'corp', name: 'Corp', type: 'oidc', issuer: op.issuer, clientId: op.clientId, clientSecret: op.clientSecret, userinfo: true }],
    };
    await server.engine.apply(validateConfig(config, 'test', { apis: [], roles: [] }));
  });
  after(async () => {
    await server.close();
    await op.close();
  });

  it('signs in to the account page through the provider; the only identity cannot be unlinked', async () => {
    op.next = { user: { sub: 'frank-up', preferred_username: 'frank' } };
    const browser = new TestBrowser();
    const signIn = await openAndFollow(browser, `${server.url}/account`);
    const account = await openAndFollow(browser, providerLink(signIn, 'Corp'));
    assert.equal(account.status, 200);
    assert.match(account.html, /Signed in as <strong>frank<\/strong>/);
    assert.match(account.html, /your only way to sign in/);
    assert.doesNotMatch(account.html, /unlink-identity/);
    const csrf = /name="csrf" value="([^"]+)"/.exec(account.html)![1]!;
    const refused = await browser.post(`${server.url}/account/unlink-identity`, { csrf, provider: 'corp', subject: 'frank-up' });
    assert.equal(refused.status, 400);
    assert.match(refused.html, /only way to sign in/);
  });

  it('links an identity to a password account from the account page, then unlinks it', async () => {
    const browser = new TestBrowser();
    const signIn = await openAndFollow(browser, `${server.url}/account`);
    const form = readForm(signIn.html);
    let page = await openAndFollow(browser, (await browser.post(form.action, { ...form.fields, username: 'erin', password: 'erin-password-1' })).location!);
    const link = /href="([^"]+\/account\/link\/corp\?csrf=[^"]+)"/.exec(page.html)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(link, 'a "Link your Corp account" link');
    op.next = { user: { sub: 'erin-up', email: 'erin@corp.test' } };
    page = await openAndFollow(browser, link);
    assert.match(page.html, /The identity was linked/);
    const erin = await server.engine.store.getUserByUsername('erin');
    assert.deepEqual(
      (await server.engine.store.listUserIdentities(erin!.id)).map((i) => i.subject),
      ['erin-up'],
    );
    // Signing in with it now is erin.
    const other = new TestBrowser();
    const again = await openAndFollow(other, providerLink(await openAndFollow(other, `${server.url}/account`), 'Corp'));
    assert.match(again.html, /\(erin\)/);
    // A forged link without the page's token is refused.
    const forged = await browser.get(`${server.url}/account/link/corp?csrf=forged`);
    assert.equal(forged.status, 403);
    const unlink = readForm(/<form method="post" action="[^"]+unlink-identity"[\s\S]*?<\/form>/.exec(page.html)![0]);
    const done = await openAndFollow(browser, (await browser.post(unlink.action, unlink.fields)).location!);
    assert.match(done.html, /The identity was unlinked/);
    assert.deepEqual(await server.engine.store.listUserIdentities(erin!.id), []);
    await server.engine.audit.flush();
    const types = (await server.engine.audit.query({ subject: erin!.id, limit: 50 })).events.map((e) => e.type);
    assert.ok(types.includes('upstream.linked') && types.includes('upstream.unlinked'));
  });
});
