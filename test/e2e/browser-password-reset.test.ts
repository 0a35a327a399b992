/**
 * Forgot password, in a real browser, through real mail: Chromium follows the
 * sign-in page's "Forgot your password?" link, asks for a link, a loopback SMTP
 * server receives it, Chromium opens it, sets a new password and lands signed in
 * on the account page. The pages must be clean (no CSP violations, no errors).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  bounded,
  CHROMIUM,
  chromiumAvailable as available,
  launchChromium,
  skipWithoutChromium as skip,
  watchedPage,
  type LaunchedBrowser,
} from '../support/chromium.js';
import { makeFixture } from '../support/fixture.js';
import { linkIn, mailTo, TestSmtp } from '../support/smtp.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('browser password reset (Chromium)', { timeout: 60_000 }, () => {
  let launched: LaunchedBrowser | undefined;
  let server: TestServer | undefined;
  let smtp: TestSmtp | undefined;

  after(async () => {
    if (launched) await launched.close();
    if (server) await bounded(server.close(), 5_000);
    await smtp?.stop();
  });

  it('forgot password → mail → new password → signed in', { skip, timeout: 45_000 }, async () => {
    assert.ok(available, `CI is set but ${CHROMIUM} is missing: install Debian's chromium package (see .ci/run)`);
    smtp = await TestSmtp.start();
    server = await startTestServer({ config: (await makeFixture()).config, mail: mailTo(smtp) });
    launched = await launchChromium();
    const { page, problems, requests } = await watchedPage(await launched.browser.newContext());

    await page.goto(`${server.url}/account`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    await page.getByLabel('Username or email address').fill('alice@example.test');
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();

    const [mail] = await smtp.mailTo('alice@example.test');
    await page.goto(linkIn(mail!, `${server.url}/password/reset/`));
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill('chromium-chose-this');
    await page.getByLabel('New password, again').fill('chromium-chose-this');
    await page.getByRole('button', { name: 'Set the password' }).click();

    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    assert.equal(page.url(), `${server.url}/account`);
    assert.ok(await page.getByText('Signed in as').isVisible());
    assert.deepEqual(problems, []);
    const origin = new URL(server.url).origin;
    assert.deepEqual(
      requests.filter((r) => new URL(r).origin !== origin),
      [],
    );
  });
});
