/**
 * The admin console's view of dynamic registration, in Chromium: a client that
 * registered itself is marked in the Applications list and shows what it declared;
 * an administrator creates an initial access token (shown once) that then registers
 * a client, revokes another, and deletes the registered client, which revokes its
 * tokens. Clients known by a metadata document are listed from the audit log. No console errors, nothing loaded from elsewhere.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { registrationPolicy } from '../../src/core/registration/registration-policy.js';
import { chromiumAvailable, CHROMIUM, launchChromium, skipWithoutChromium, watchedPage, type LaunchedBrowser } from '../support/chromium.js';
import { makeFixture } from '../support/fixture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

async function openSection(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
}

describe('admin console: registered clients and initial access tokens (Chromium)', { timeout: 120_000 }, () => {
  let chromium: LaunchedBrowser | undefined;
  let server: TestServer | undefined;

  before(async () => {
    if (skipWithoutChromium) return;
    assert.ok(chromiumAvailable, `CI is set but ${CHROMIUM} is missing`);
    server = await startTestServer({ config: (await makeFixture()).config, registration: registrationPolicy({ enabled: true }) });
    chromium = await launchChromium();
  });
  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  const register = (name: string, token?: string) =>
    fetch(`${server!.url}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ client_name: name, redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'none', software_id: 'notes-cli' }),
    });

  it('marks registered clients, shows what they declared, and manages initial access tokens', { skip: skipWithoutChromium, timeout: 90_000 }, async () => {
    const origin = new URL(server!.url).origin;
    const registered = (await (await register('Notes CLI')).json()) as { client_id: string };
    // A client known by its metadata document, as the resolver audits a fetch.
    server!.engine.audit.record({
      type: 'client.metadata_document_fetched',
      outcome: 'success',
      clientId: 'https://agent.example/client.json',
      details: { name: 'Notes Agent', cacheSeconds: 300 },
    });
    await server!.engine.audit.flush();
    const context = await chromium!.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const { page, problems, requests } = await watchedPage(context);
    page.on('dialog', (dialog) => void dialog.accept());

    await page.goto(`${server!.url}/admin`);
    await page.getByLabel('Username').fill('root');
    await page.getByLabel('Password').fill('root-password-123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await openSection(page, 'Applications');

    // The registered client: marked in the list, its declared metadata one click away.
    const row = page.getByRole('row').filter({ hasText: registered.client_id });
    await row.waitFor();
    assert.match(await row.innerText(), /registered itself \(unverified\)/);
    assert.doesNotMatch(await page.getByRole('row').filter({ hasText: 'calendar-app' }).innerText(), /registered itself/);
    await page
      .getByRole('group', { name: `Actions for ${registered.client_id}` })
      .getByRole('button', { name: 'Registration' })
      .click();
    const panel = page.getByRole('region', { name: `Registration of ${registered.client_id}` });
    await panel.waitFor();
    assert.match(await panel.innerText(), /Notes CLI/);
    assert.match(await panel.innerText(), /notes-cli/);
    assert.match(await panel.innerText(), /open registration/);

    // Clients known by a metadata document are listed from the audit log.
    const documents = page.getByRole('region', { name: 'Clients known by a metadata document', exact: true });
    assert.match(await documents.innerText(), /https:\/\/agent\.example\/client\.json\s+Notes Agent/);

    // An initial access token, shown once, registers a client.
    const tokens = page.getByRole('region', { name: 'Initial access tokens', exact: true });
    assert.match(await tokens.innerText(), /Registration is open/);
    await tokens.getByLabel('For whom').fill('partner X');
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const shown = tokens.getByLabel(/^Initial access token /);
    await shown.waitFor();
    const token = await shown.inputValue();
    assert.match(token, /^tsr_iat_/);
    assert.equal((await register('Partner tool', token)).status, 201);
    await tokens.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('region', { name: 'Initial access tokens', exact: true }).getByRole('cell', { name: 'used (single-use)' }).waitFor();

    // Another, revoked.
    await page.getByRole('region', { name: 'Initial access tokens', exact: true }).getByLabel('For whom').fill('never used');
    await page.getByRole('region', { name: 'Initial access tokens', exact: true }).getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('region', { name: 'Initial access tokens', exact: true }).getByRole('button', { name: 'Done' }).click();
    const unused = page.getByRole('region', { name: 'Initial access tokens', exact: true }).getByRole('row').filter({ hasText: 'never used' });
    await unused.getByRole('button', { name: 'Revoke' }).click();
    await page
      .getByRole('region', { name: 'Initial access tokens', exact: true })
      .getByRole('row')
      .filter({ hasText: 'never used' })
      .getByRole('cell', { name: 'revoked' })
      .waitFor();

    // Deleting the registered client revokes what it held.
    await page
      .getByRole('group', { name: `Actions for ${registered.client_id}` })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByRole('row').filter({ hasText: registered.client_id }).waitFor({ state: 'detached' });
    assert.equal(await server!.engine.store.getClient(registered.client_id), undefined);
    await server!.engine.audit.flush();
    const revoked = (await server!.engine.audit.query({ type: 'token.revoked', clientId: registered.client_id })).events;
    assert.equal(revoked[0]?.details?.via, 'management');

    assert.deepEqual(problems, []);
    assert.deepEqual(
      requests.filter((r) => new URL(r).origin !== origin),
      [],
    );
    await context.close();
  });
});
