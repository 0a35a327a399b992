/**
 * Invitations and email verification through the management API and real mail,
 * and the outbox as an administrator sees it: every response checked against the
 * served OpenAPI document, every flow finished over HTTP by following the link.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { MANAGEMENT_SCOPES, managementAudience } from '../../src/management/management-api.js';
import { readForm, TestBrowser } from '../support/browser.js';
import { CALLBACK, makeFixture, SECRETS } from '../support/fixture.js';
import { OpenApiValidator } from '../support/openapi-validator.js';
import { authorize } from '../support/sign-in.js';
import { linkIn, mailTo, TestSmtp } from '../support/smtp.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('management API: invitations, verification and the outbox', () => {
  let server: TestServer;
  let smtp: TestSmtp;
  let validator: OpenApiValidator;
  let admin: string;
  let usersOnly: string;
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));

  before(async () => {
    smtp = await TestSmtp.start();
    server = await startTestServer({ config: (await makeFixture()).config, clock, mail: mailTo(smtp) });
    const rootId = (await server.engine.store.getUserByUsername('root'))!.id;
    const pat = (scopes: string[]) =>
      server.engine.credentials.createPersonalAccessToken(rootId, { name: 'test', api: managementAudience(server.url), scopes });
    admin = (await pat([...MANAGEMENT_SCOPES])).token;
    usersOnly = (await pat(['read:users', 'write:users'])).token;
    validator = new OpenApiValidator((await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as ConstructorParameters<typeof OpenApiValidator>[0]);
  });
  after(async () => {
    await server.close();
    await smtp.stop();
  });

  async function call(method: string, template: string, values: Record<string, string>, body?: unknown, token = admin) {
    let path = template;
    for (const [name, value] of Object.entries(values)) path = path.replace(`{${name}}`, encodeURIComponent(value));
    const response = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as Record<string, any>) : undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
    validator.check(method, template.split('?')[0]!, response.status, parsed);
    return { status: response.status, body: parsed! };
  }

  /** Signs `username` in through the code flow and returns the ID token's claims. */
  async function idTokenClaims(username: string, password: string) {
    const browser = new TestBrowser();
    const page = await browser.get(`${server.url}/account/sign-in`);
    const form = readForm(page.html);
    await browser.post(form.action, { ...form.fields, username, password });
    const { code } = await authorize(browser, server.url, {
      client_id: 'calendar-app',
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid email',
      nonce: 'n-1',
    });
    const tokens = await server.post(
      '/token',
      { grant_type: 'authorization_code', code: code!, redirect_uri: CALLBACK },
      basic('calendar-app', SECRETS.calendar),
    );
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    const userinfo = (await (await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${tokens.body.access_token}` } })).json()) as Record<
      string,
      unknown
    >;
    return { id: claimsOf(tokens.body.id_token as string), userinfo };
  }

  it('invites a person, whose link sets a password and signs them in with the roles given', async () => {
    const invited = await call('POST', '/invitations', {}, { email: 'frank@example.test', name: 'Frank', roles: ['calendar-reader'] }, usersOnly);
    assert.equal(invited.status, 202);
    assert.equal(invited.body.user.username, 'frank@example.test');
    assert.equal(invited.body.user.hasPassword, false);
    assert.equal(invited.body.created, true);
    const [mail] = await smtp.mailTo('frank@example.test');
    assert.match(mail!.subject, /You are invited/);
    const link = linkIn(mail!, `${server.url}/invitation/`);

    const browser = new TestBrowser();
    const page = await browser.get(link);
    assert.match(page.html, /Accept the invitation/);
    const form = readForm(page.html);
    const done = await browser.post(form.action, { ...form.fields, password: 'franks-own-password', confirm_password: 'franks-own-password' });
    assert.equal(done.status, 303);
    assert.equal(done.location, `${server.url}/account`);
    assert.equal((await browser.get(`${server.url}/account`)).status, 200, 'signed in');
    const user = await call('GET', '/users/{id}', { id: invited.body.user.id });
    assert.deepEqual([user.body.hasPassword, user.body.emailVerified, user.body.roles], [true, true, ['calendar-reader']]);
    assert.equal((await browser.get(link)).status, 400, 'the link works once');

    const again = await call('POST', '/invitations', {}, { email: 'frank@example.test' });
    assert.equal(again.status, 409, 'an account with a password is not invited again');
    assert.equal((await call('POST', '/invitations', {}, { email: 'gina@example.test', roles: ['no-such-role'] })).status, 400);
    assert.equal((await call('POST', '/invitations', {}, { email: 'not an address' })).status, 400);
  });

  it('re-sends an unaccepted invitation, and the newest link works', async () => {
    await call('POST', '/invitations', {}, { email: 'gina@example.test', username: 'gina' });
    const resent = await call('POST', '/invitations', {}, { email: 'gina@example.test', username: 'gina' });
    assert.equal(resent.body.created, false);
    const mails = await smtp.mailTo('gina@example.test', 2);
    const browser = new TestBrowser();
    const form = readForm((await browser.get(linkIn(mails[1]!, `${server.url}/invitation/`))).html);
    assert.equal((await browser.post(form.action, { ...form.fields, password: 'ginas-password', confirm_password: 'ginas-password' })).status, 303);
    assert.equal((await new TestBrowser().get(linkIn(mails[0]!, `${server.url}/invitation/`))).status, 400, 'the older link died with the password set');
  });

  it('mails a verification link for a new address; email_verified follows it in userinfo', async () => {
    const created = await call('POST', '/users', {}, { username: 'hana', email: 'hana@example.test', password: 'hanas-password-1' });
    assert.equal(created.status, 201);
    const before = await idTokenClaims('hana', 'hanas-password-1');
    // The code flow's ID token leaves profile claims to userinfo (OIDC Core 5.4); both read the same user.
    assert.equal(before.id.email_verified, undefined);
    assert.equal(before.userinfo.email_verified, false);

    const [mail] = await smtp.mailTo('hana@example.test');
    assert.equal((await call('POST', '/users', {}, { username: 'hana-2', email: 'hana2@example.test', emailVerified: true })).status, 201);
    assert.equal(mail!.subject, 'Confirm your email address');
    const link = linkIn(mail!, `${server.url}/email/verify/`);
    const browser = new TestBrowser();
    const page = await browser.get(link);
    assert.match(page.html, /hana@example\.test/);
    assert.equal(
      (await server.engine.store.getUserByUsername('hana'))?.emailVerified,
      undefined,
      'opening the link alone verifies nothing (mail scanners open links)',
    );
    const form = readForm(page.html);
    const done = await browser.post(form.action, form.fields);
    assert.equal(done.status, 200);
    assert.match(done.html, /Email address confirmed/);
    assert.equal((await browser.post(form.action, form.fields)).status, 400, 'once');

    const after = await idTokenClaims('hana', 'hanas-password-1');
    assert.equal(after.userinfo.email, 'hana@example.test');
    assert.equal(after.userinfo.email_verified, true);
  });

  it('voids a verification link when the address changes, and refuses a forged form', async () => {
    const created = await call('POST', '/users', {}, { username: 'ivan', email: 'ivan@example.test' });
    const [first] = await smtp.mailTo('ivan@example.test');
    const link = linkIn(first!, `${server.url}/email/verify/`);
    const browser = new TestBrowser();
    const form = readForm((await browser.get(link)).html);
    assert.equal((await new TestBrowser().post(form.action, form.fields)).status, 403, 'another browser cannot submit it');
    await call('PUT', '/users/{id}', { id: created.body.id }, { username: 'ivan', email: 'ivan@elsewhere.test' });
    assert.equal((await browser.post(form.action, form.fields)).status, 400, 'the old address can no longer be confirmed');
    await smtp.mailTo('ivan@elsewhere.test');
  });

  it('lists the outbox, its failures and their reasons, and retries one', async () => {
    smtp.refuse = 'no such mailbox here';
    await call('POST', '/invitations', {}, { email: 'jo@example.test' });
    const outbox = server.engine.mail!.outbox;
    for (let i = 0; i < outbox.policy.maxAttempts; i++) {
      await outbox.deliverDue();
      clock.advance(outbox.policy.maxDelay);
    }
    smtp.refuse = undefined;
    const failed = await call('GET', '/mail/outbox', {}, undefined);
    assert.equal(failed.status, 200);
    assert.ok(failed.body.counts.sent >= 5);
    const list = await call('GET', '/mail/outbox?status=failed', {});
    assert.equal(list.body.items.length, 1);
    const [item] = list.body.items;
    assert.deepEqual([item.recipient, item.kind, item.status], ['jo@example.test', 'invitation', 'failed']);
    assert.match(item.lastError, /no such mailbox here/);
    assert.ok(!JSON.stringify(list.body).includes('/invitation/'), 'never the message or its link');
    assert.equal((await call('GET', '/mail/outbox', {}, undefined, usersOnly)).status, 403);
    assert.equal((await call('POST', '/mail/outbox/{id}/retry', { id: item.id })).status, 204);
    await smtp.mailTo('jo@example.test');
    assert.equal((await call('POST', '/mail/outbox/{id}/retry', { id: item.id })).status, 404, 'only a failed message');
  });
});
