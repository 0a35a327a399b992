/**
 * Self sign-up through real mail: off by default (no link, no page); when on and
 * limited to a domain, an account is created inactive and the mailed link
 * activates it and signs the person in. An address that has an account gets a
 * message instead, and the page answers the same.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readForm, TestBrowser, type Page } from '../support/browser.js';
import { makeFixture } from '../support/fixture.js';
import { linkIn, mailTo, TestSmtp } from '../support/smtp.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('self sign-up', () => {
  let smtp: TestSmtp;
  let server: TestServer;
  let closed: TestServer;

  before(async () => {
    smtp = await TestSmtp.start();
    const config = (await makeFixture()).config;
    server = await startTestServer({ config, mail: mailTo(smtp, { signUp: { enabled: true, domains: ['example.test'] } }) });
    closed = await startTestServer({ config, mail: mailTo(smtp) });
  });
  after(async () => {
    await server.close();
    await closed.close();
    await smtp.stop();
  });

  async function signUp(email: string, password = 'my-new-password', confirm = password): Promise<Page> {
    const browser = new TestBrowser();
    const form = readForm((await browser.get(`${server.url}/sign-up`)).html);
    return browser.post(form.action, { ...form.fields, email, name: 'New Person', password, confirm_password: confirm });
  }

  it('is off by default: no link on the sign-in page and no page', async () => {
    assert.doesNotMatch((await new TestBrowser().get(`${closed.url}/account/sign-in`)).html, /Create an account/);
    assert.equal((await new TestBrowser().get(`${closed.url}/sign-up`)).status, 404);
  });

  it('creates an inactive account that the mailed link activates and signs in', async () => {
    assert.match((await new TestBrowser().get(`${server.url}/account/sign-in`)).html, new RegExp(`<a href="${server.url}/sign-up">Create an account</a>`));
    const answer = await signUp('kim@example.test');
    assert.equal(answer.status, 200);
    assert.match(answer.html, /Check your mail/);
    await server.engine.mail!.settled();
    const pending = await server.engine.store.getUserByUsername('kim@example.test');
    assert.deepEqual([pending?.active, pending?.emailVerified, pending?.signUpPending], [false, false, true]);

    const [mail] = await smtp.mailTo('kim@example.test');
    const browser = new TestBrowser();
    const form = readForm((await browser.get(linkIn(mail!, `${server.url}/email/verify/`))).html);
    const done = await browser.post(form.action, form.fields);
    assert.equal(done.status, 303);
    assert.equal(done.location, `${server.url}/account`);
    assert.match((await browser.get(`${server.url}/account`)).html, /kim@example\.test/);
    const active = await server.engine.store.getUserByUsername('kim@example.test');
    assert.deepEqual([active?.active, active?.emailVerified, active?.signUpPending, active?.name], [true, true, undefined, 'New Person']);
  });

  it('answers the same for an address that has an account, and mails it a way back instead', async () => {
    const known = await signUp('alice@example.test');
    const unknown = await signUp('lee@example.test');
    const strip = (html: string) => html.replace(/nonce[-=]"?[^'" ]+/g, '').replace(/\w+@example\.test/g, 'ADDRESS');
    assert.equal(strip(known.html), strip(unknown.html));
    const [mail] = await smtp.mailTo('alice@example.test');
    assert.equal(mail!.subject, 'You already have an account');
    assert.match(mail!.body, new RegExp(`${server.url}/password/forgot`));
    assert.equal((await server.engine.store.findUsersByEmail('alice@example.test')).length, 1, 'no second account');
  });

  it('refuses other domains, bad addresses, weak or mismatched passwords, and too many tries', async () => {
    const other = await signUp('mallory@elsewhere.test');
    assert.equal(other.status, 400);
    assert.match(other.html, /open to addresses at example\.test only/);
    assert.equal((await signUp('not-an-address')).status, 400);
    assert.match((await signUp('nia@example.test', 'short')).html, /at least 8 characters/);
    assert.match((await signUp('nia@example.test', 'long-enough-1', 'long-enough-2')).html, /two passwords differ/);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await signUp('omar@example.test')).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const forged = await new TestBrowser().post(`${server.url}/sign-up`, {
      csrf: 'x',
      email: 'pat@example.test',
      password: 'whatever-123',
      confirm_password: 'whatever-123',
    });
    assert.equal(forged.status, 403);
  });
});
