/**
 * The README's command-line tool (examples/device-cli/sign-in.ts) against a Tessera
 * running example.yaml: oauth4webapi's device flow with the public `organizer-cli`
 * client, alice approving on the real verification, sign-in and consent pages while
 * the tool polls. The tool's waits move the test's clock instead of sleeping.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { deviceSignIn } from '../../examples/device-cli/sign-in.js';
import { FrozenClock } from '../../src/core/clock.js';
import { readForm, TestBrowser } from '../support/browser.js';
import { decide, submitSignIn } from '../support/sign-in.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('examples/device-cli: a command-line tool signs alice in with the device flow', () => {
  let server: TestServer;
  // Real time, frozen: oauth4webapi checks the ID token's times against its own clock.
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));

  before(async () => {
    server = await startTestServer({ config: parseYaml(readFileSync('example.yaml', 'utf8')), clock });
  });
  after(() => server.close());

  /** alice, on her phone: follows the link, signs in, allows. */
  async function aliceAllows(uri: string, decision: 'allow' | 'deny' = 'allow'): Promise<void> {
    const browser = new TestBrowser();
    const form = await browser.get(uri);
    const { action, fields } = readForm(form.html);
    const prefilled = /name="user_code" value="([^"]*)"/.exec(form.html)?.[1] ?? '';
    let page = await browser.follow(await browser.post(action, { ...fields, user_code: prefilled }), server.url);
    page = await browser.follow(await submitSignIn(browser, page, 'alice', 'alice-password-change-me'), server.url);
    assert.match(page.html, /Organizer CLI/);
    const done = await decide(browser, page, decision);
    assert.equal(done.status, 200);
  }

  it('prints a code, polls while alice decides, and receives her tokens', async () => {
    let shown: { uri: string; userCode: string } | undefined;
    const waits: number[] = [];
    const { tokens, idToken, user } = await deviceSignIn({
      issuer: server.url,
      clientId: 'organizer-cli',
      scope: 'openid profile offline_access read:calendars',
      resource: 'https://api.organizer.example',
      allowHttp: true,
      onCode: (code) => void (shown = code),
      // The first wait is when alice acts; the poll after it succeeds.
      sleep: async (seconds) => {
        waits.push(seconds);
        clock.advance(seconds);
        if (waits.length === 2) await aliceAllows(shown!.uri);
      },
    });
    assert.match(shown!.userCode, /^[A-Z]{4}-[A-Z]{4}$/);
    assert.deepEqual(waits, [5, 5], 'one poll pending, then tokens');
    const alice = (await server.engine.store.getUserByUsername('alice'))!;
    assert.equal(idToken?.sub, alice.id);
    assert.equal(idToken?.aud, 'organizer-cli');
    assert.equal(user?.preferred_username, 'alice', 'what the tool prints (from userinfo), as in the README');
    assert.equal(tokens.scope, 'openid profile offline_access read:calendars');
    assert.ok(tokens.refresh_token);
    const access = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(access.aud, 'https://api.organizer.example');
    assert.match(String(access.scope), /read:calendars/);
  });

  it('stops with access_denied when alice denies', async () => {
    let uri = '';
    let polls = 0;
    await assert.rejects(
      deviceSignIn({
        issuer: server.url,
        clientId: 'organizer-cli',
        scope: 'read:calendars',
        resource: 'https://api.organizer.example',
        allowHttp: true,
        onCode: (code) => void (uri = code.uri),
        sleep: async (seconds) => {
          clock.advance(seconds);
          if (++polls === 1) await aliceAllows(uri, 'deny');
        },
      }),
      (error: unknown) => (error as { error?: string }).error === 'access_denied',
    );
  });
});
