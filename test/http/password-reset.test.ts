/**
 * Password reset through real mail: a loopback SMTP server receives the message,
 * the test follows its link like a person would, and checks what must never
 * happen: reused, expired or tampered links; answers that tell whether an account
 * exists; unlimited requests.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { readForm, TestBrowser, type Page } from '../support/browser.js';
import { makeFixture, PASSWORDS } from '../support/fixture.js';
import { linkIn, mailTo, TestSmtp } from '../support/smtp.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('password reset by mail', () => {
  let server: TestServer;
  let smtp: TestSmtp;
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));

  before(async () => {
    smtp = await TestSmtp.start();
    server = await startTestServer({ config: (await makeFixture()).config, clock, mail: mailTo(smtp) });
  });
  after(async () => {
    await server.close();
    await smtp.stop();
  });

  async function signInAtAccount(browser: TestBrowser, username: string, password: string): Promise<Page> {
    const page = await browser.get(`${server.url}/account/sign-in`);
    const form = readForm(page.html);
    return browser.post(form.action, { ...form.fields, username, password });
  }

  /** Waits until what was asked for is queued and the outbox has sent it. */
  async function drain(): Promise<void> {
    await server.engine.mail!.settled();
    await server.engine.mail!.outbox.deliverDue();
  }

  async function askForLink(browser: TestBrowser, identifier: string): Promise<Page> {
    const page = await browser.get(`${server.url}/password/forgot`);
    assert.equal(page.status, 200);
    const form = readForm(page.html);
    assert.equal(form.action, `${server.url}/password/forgot`);
    return browser.post(form.action, { ...form.fields, identifier });
  }

  async function choose(browser: TestBrowser, link: string, password: string, confirm = password): Promise<Page> {
    const page = await browser.get(link);
    if (page.status !== 200) return page;
    const form = readForm(page.html);
    return browser.post(form.action, { ...form.fields, password, confirm_password: confirm });
  }

  it('links "Forgot your password?" from the sign-in page', async () => {
    const page = await new TestBrowser().get(`${server.url}/account/sign-in`);
    assert.match(page.html, new RegExp(`<a href="${server.url}/password/forgot">Forgot your password\\?</a>`));
    assert.doesNotMatch(page.html, /Create an account/, 'sign-up is off');
  });

  it('mails a link that sets a new password, signs out every other session and signs this browser in', async () => {
    const elsewhere = new TestBrowser();
    assert.equal((await signInAtAccount(elsewhere, 'alice', PASSWORDS.alice)).status, 303);
    assert.equal((await elsewhere.get(`${server.url}/account`)).status, 200);

    const browser = new TestBrowser();
    const answer = await askForLink(browser, 'alice');
    assert.equal(answer.status, 200);
    assert.match(answer.html, /Check your mail/);
    const [mail] = await smtp.mailTo('alice@example.test');
    assert.equal(mail!.subject, 'Reset your password');
    const link = linkIn(mail!, `${server.url}/password/reset/`);

    const done = await choose(browser, link, 'a-brand-new-password');
    assert.equal(done.status, 303);
    assert.equal(done.location, `${server.url}/account`);
    const account = await browser.get(`${server.url}/account`);
    assert.equal(account.status, 200);
    assert.match(account.html, /alice/);
    assert.equal((await elsewhere.get(`${server.url}/account`)).status, 303, 'the other session was signed out');

    assert.equal((await signInAtAccount(new TestBrowser(), 'alice', PASSWORDS.alice)).status, 401, 'the old password no longer works');
    assert.equal((await signInAtAccount(new TestBrowser(), 'alice', 'a-brand-new-password')).status, 303);
    await server.engine.audit.flush();
    const events = await server.engine.store.queryAuditEvents({ type: 'management.changed' }, { limit: 20 });
    assert.ok(events.some((e) => e.subject !== undefined && e.details?.source === 'password_reset' && e.details.action === 'password_set'));

    assert.equal((await choose(new TestBrowser(), link, 'yet-another-password')).status, 400, 'the link works once');
  });

  it('refuses tampered, expired and superseded links, and a mismatched confirmation', async () => {
    const browser = new TestBrowser();
    await askForLink(browser, 'alice@example.test');
    const mails = await smtp.mailTo('alice@example.test', 2);
    const link = linkIn(mails[1]!, `${server.url}/password/reset/`);
    const tampered = link.slice(0, -3) + (link.endsWith('AAA') ? 'BBB' : 'AAA');
    const refused = await browser.get(tampered);
    assert.equal(refused.status, 400);
    assert.match(refused.html, /This link does not work/);
    assert.equal((await browser.get(`${server.url}/password/reset/short`)).status, 404);

    const mismatch = await choose(browser, link, 'one-password-here', 'another-password');
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.html, /the two passwords differ/);
    assert.match(mismatch.html, /name="password"/, 'the link still works after a refused form');

    clock.advance(31 * 60);
    assert.equal((await choose(browser, link, 'too-late-password')).status, 400, 'expired after 30 minutes');
  });

  it('voids every earlier link once the password changes', async () => {
    clock.advance(2 * 3600); // past the per-account limit of the tests before
    const browser = new TestBrowser();
    await askForLink(browser, 'alice');
    await askForLink(browser, 'alice');
    const mails = (await smtp.mailTo('alice@example.test', 4)).slice(2);
    const [first, second] = mails.map((m) => linkIn(m, `${server.url}/password/reset/`));
    assert.equal((await choose(browser, second!, 'the-newest-password')).status, 303);
    assert.equal((await choose(new TestBrowser(), first!, 'an-older-link-password')).status, 400);
  });

  it('answers the same, and about as fast, whether or not an account exists', async () => {
    clock.advance(3600);
    const time = async (identifier: string) => {
      const started = performance.now();
      const page = await askForLink(new TestBrowser(), identifier);
      return { ms: performance.now() - started, status: page.status, html: page.html.replace(/nonce-[^']+|nonce="[^"]+"/g, '') };
    };
    const known = [];
    const unknown = [];
    for (let i = 0; i < 6; i++) {
      clock.advance(3600); // past the per-identifier limit
      known.push(await time('alice'));
      unknown.push(await time(`nobody-${i}@example.test`));
    }
    assert.deepEqual(new Set(known.map((r) => r.html)).size, 1);
    assert.equal(known[0]!.html, unknown[0]!.html, 'the same page');
    assert.equal(known[0]!.status, unknown[0]!.status);
    const median = (list: { ms: number }[]) => list.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
    assert.ok(Math.abs(median(known) - median(unknown)) < 50, `known ${median(known)} ms, unknown ${median(unknown)} ms`);
  });

  it('throttles per typed name, per account and per address', async () => {
    clock.advance(2 * 3600);
    const browser = new TestBrowser();
    for (let i = 0; i < 3; i++) assert.equal((await askForLink(browser, 'bob-is-inactive')).status, 200);
    const throttled = await askForLink(browser, 'bob-is-inactive');
    assert.equal(throttled.status, 429);
    assert.match(throttled.html, /Too many requests/);

    // The account, reached by name and by address: three messages an hour at most.
    clock.advance(2 * 3600);
    await drain();
    const before = (await smtp.mailTo('alice@example.test')).length;
    for (const identifier of ['alice', 'alice@example.test', 'ALICE@example.test', 'alice']) assert.equal((await askForLink(browser, identifier)).status, 200);
    await drain();
    assert.equal((await smtp.mailTo('alice@example.test')).length, before + 3, 'the fourth request sent nothing');

    clock.advance(2 * 3600);
    let status = 200;
    for (let i = 0; i < 25 && status === 200; i++) status = (await askForLink(browser, `someone-${i}`)).status;
    assert.equal(status, 429, 'an address asking for many names is stopped');
  });

  it('builds the link from the issuer, never from the Host header the request names', async () => {
    clock.advance(2 * 3600);
    const browser = new TestBrowser();
    const form = readForm((await browser.get(`${server.url}/password/forgot`)).html);
    const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const body = new URLSearchParams({ ...form.fields, identifier: 'alice' }).toString();
    const { port } = new URL(server.url);
    await drain();
    const before = (await smtp.mailTo('alice@example.test')).length;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/password/forgot',
          method: 'POST',
          headers: {
            host: 'evil.example',
            'x-forwarded-host': 'evil.example',
            cookie,
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(status, 200);
    await drain();
    const mails = await smtp.mailTo('alice@example.test');
    assert.equal(mails.length, before + 1);
    const last = mails[mails.length - 1]!;
    assert.doesNotMatch(last.body, /evil\.example/);
    assert.ok(linkIn(last, `${server.url}/password/reset/`));
  });
});
