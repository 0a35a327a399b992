/**
 * The MCP example (examples/mcp) against a real Tessera, driven by the MCP TypeScript
 * SDK's own client and OAuth support: the server's 401 leads the client through RFC
 * 9728 discovery to Tessera; the client is known by the URL of its client ID metadata
 * document, served over https by this test; alice signs in and consents on the real
 * pages over HTTP; the tools then run as alice. An action token limits an agent to the
 * tools its endpoint list names. And the same with nothing configured but
 * `registration: { enabled: true }`: the SDK registers its client (RFC 7591).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { readFileSync } from 'node:fs';
import { parseConfigText, validateConfig } from '../../src/core/config/load.js';
import { registrationPolicy } from '../../src/core/registration/registration-policy.js';
import { resolveSettings } from '../../src/server/settings.js';
import { createSafeFetcher } from '../../src/server/safe-fetch.js';
import { clientDocument, MemoryOAuthProvider } from '../../examples/mcp/client-provider.js';
import { startNotesServer, type RunningNotesServer } from '../../examples/mcp/notes-server.js';
import { callbackParams, readForm, TestBrowser } from '../support/browser.js';
import { startHttpsDocuments, TEST_CA, type HttpsDocuments } from '../support/https-documents.js';
import { submitSignIn } from '../support/sign-in.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CALLBACK = 'http://127.0.0.1:33418/callback';
const INTROSPECTOR = { clientId: 'notes-mcp', clientSecret: 'notes-mcp-introspection-secret' };

const textOf = (result: unknown) => (result as { content: { text: string }[] }).content[0]?.text ?? '';

/** The notes API, alice and the introspecting client, as examples/mcp/tessera.yaml has them. */
async function applyNotesConfig(tessera: TestServer, resource: string): Promise<void> {
  const engine = tessera.engine;
  await engine.apply(
    validateConfig(
      {
        apis: [
          {
            identifier: resource,
            name: 'Notes',
            scopes: [
              { name: 'notes:read', description: 'Read your notes' },
              { name: 'notes:write', description: 'Add and delete your notes' },
            ],
          },
        ],
        roles: [{ name: 'notes-user', permissions: { [resource]: ['notes:read', 'notes:write'] } }],
        users: [{ username: 'alice', password: 'alice-password-123', roles: ['notes-user'] }],
        clients: [{ clientId: INTROSPECTOR.clientId, secrets: [INTROSPECTOR.clientSecret], introspection: 'any' }],
      },
      'mcp test',
      { apis: await engine.store.listApis(), roles: (await engine.store.listRoles()).map((r) => r.name) },
    ),
  );
}

/** alice, in a browser: sign in, read the consent page, allow; the code the client receives. */
async function aliceAllows(tessera: TestServer, authorizationUrl: URL, clientName: RegExp): Promise<string> {
  const browser = new TestBrowser();
  let page = await browser.follow(await browser.get(authorizationUrl.href), tessera.url);
  page = await browser.follow(await submitSignIn(browser, page, 'alice', 'alice-password-123'), tessera.url);
  assert.match(page.html, /Unverified app/);
  assert.match(page.html, clientName);
  assert.match(page.html, /notes:write/);
  const form = readForm(page.html);
  page = await browser.post(form.action, { ...form.fields, decision: 'allow' });
  const { code } = callbackParams(page.location!);
  assert.ok(code);
  return code;
}

describe('MCP example: an MCP client signed in through Tessera', () => {
  let docs: HttpsDocuments;
  let tessera: TestServer;
  let notes: RunningNotesServer;
  let clientId: string;

  before(async () => {
    docs = await startHttpsDocuments();
    clientId = `${docs.origin}/notes-agent/client.json`;
    docs.documents.set('/notes-agent/client.json', { body: { ...clientDocument(clientId, CALLBACK) } });
    tessera = await startTestServer({ clientMetadataDocuments: { fetcher: createSafeFetcher({ allowPrivateAddresses: true, ca: TEST_CA }) } });
    notes = await startNotesServer({ issuer: tessera.url, port: 0, introspection: INTROSPECTOR });
    await applyNotesConfig(tessera, notes.resource);
  });
  after(async () => {
    await notes.close();
    await tessera.close();
    await docs.close();
  });

  it('discovers Tessera from the 401, signs alice in with a metadata-document client_id, and calls tools as alice', async () => {
    let authorizationUrl: URL | undefined;
    const provider = new MemoryOAuthProvider({ clientId, redirectUri: CALLBACK, onRedirect: (url) => void (authorizationUrl = url) });

    const first = new Client({ name: 'notes-agent', version: '1.0.0' });
    await assert.rejects(first.connect(new StreamableHTTPClientTransport(new URL(notes.resource), { authProvider: provider })), UnauthorizedError);
    assert.ok(authorizationUrl, 'the SDK sent the user to the authorization endpoint');
    assert.equal(authorizationUrl.origin + authorizationUrl.pathname, `${tessera.url}/authorize`, 'found through RFC 9728 and RFC 8414');
    assert.equal(authorizationUrl.searchParams.get('client_id'), clientId);
    assert.equal(authorizationUrl.searchParams.get('resource'), notes.resource);
    assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256');

    const code = await aliceAllows(tessera, authorizationUrl, /Notes agent \(MCP example\)/);

    const transport = new StreamableHTTPClientTransport(new URL(notes.resource), { authProvider: provider });
    await transport.finishAuth(code);
    const token = provider.tokens()!.access_token;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(claims.aud, notes.resource);
    assert.equal(claims.client_id, clientId);

    const client = new Client({ name: 'notes-agent', version: '1.0.0' });
    await client.connect(transport);
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['add_note', 'delete_note', 'list_notes']);
    assert.equal(textOf(await client.callTool({ name: 'add_note', arguments: { text: 'buy milk' } })), 'added note 1');
    assert.equal(textOf(await client.callTool({ name: 'list_notes', arguments: {} })), '1. buy milk');
    await client.close();
  });

  it('limits an agent holding an action token to the tools its endpoint list names', async () => {
    const alice = (await tessera.engine.store.getUserByUsername('alice'))!;
    const { token } = await tessera.engine.credentials.createActionToken(alice.id, {
      name: 'read-only agent',
      endpoints: ['POST /mcp', 'POST /mcp/tools/list_notes'],
    });
    const transport = new StreamableHTTPClientTransport(new URL(notes.resource), { requestInit: { headers: { Authorization: `ActionToken ${token}` } } });
    const client = new Client({ name: 'read-only-agent', version: '1.0.0' });
    await client.connect(transport);
    assert.match(textOf(await client.callTool({ name: 'list_notes', arguments: {} })), /buy milk/);
    await assert.rejects(client.callTool({ name: 'add_note', arguments: { text: 'not allowed' } }), /insufficient_scope/);
    await client.close();

    // What the MCP client saw, over plain HTTP: the challenge of the refusal.
    const refused = await fetch(notes.resource, {
      method: 'POST',
      headers: { authorization: `ActionToken ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'delete_note', arguments: { number: 1 } } }),
    });
    assert.equal(refused.status, 403);
    assert.match(
      refused.headers.get('www-authenticate') ?? '',
      /^ActionToken error="insufficient_scope".*resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/mcp"$/,
    );
  });

  it("the example's tessera.yaml is valid, turns registration on and metadata documents on for the notes server", () => {
    const config = parseConfigText(readFileSync(new URL('../../examples/mcp/tessera.yaml', import.meta.url), 'utf8'), 'examples/mcp/tessera.yaml');
    const settings = resolveSettings({
      flags: {},
      env: {},
      ...(config.server ? { server: config.server } : {}),
      ...(config.registration ? { registration: config.registration } : {}),
    });
    assert.deepEqual(settings.clientIdMetadataDocuments?.permissions, { 'http://127.0.0.1:3001/mcp': ['notes:read', 'notes:write'] });
    assert.equal(settings.registration.enabled, true);
    assert.equal(config.apis[0]?.identifier, 'http://127.0.0.1:3001/mcp');
  });
});

describe('MCP example: an MCP client that registers itself, with only `registration: { enabled: true }`', () => {
  let tessera: TestServer;
  let notes: RunningNotesServer;

  before(async () => {
    // The default registration policy, nothing else: no metadata documents, no client configured for the agent.
    tessera = await startTestServer({ registration: registrationPolicy({ enabled: true }) });
    notes = await startNotesServer({ issuer: tessera.url, port: 0, introspection: INTROSPECTOR });
    await applyNotesConfig(tessera, notes.resource);
  });
  after(async () => {
    await notes.close();
    await tessera.close();
  });

  it('discovers Tessera (RFC 9728), registers (RFC 7591), signs alice in through the real pages, and calls a tool as alice', async () => {
    let authorizationUrl: URL | undefined;
    const provider = new MemoryOAuthProvider({ redirectUri: CALLBACK, onRedirect: (url) => void (authorizationUrl = url) });

    const first = new Client({ name: 'notes-agent', version: '1.0.0' });
    await assert.rejects(first.connect(new StreamableHTTPClientTransport(new URL(notes.resource), { authProvider: provider })), UnauthorizedError);
    const clientId = provider.clientInformation()?.client_id;
    assert.match(clientId ?? '', /^reg_/, 'the SDK registered itself at registration_endpoint');
    const registered = await tessera.engine.store.getClient(clientId!);
    assert.equal(registered?.type, 'public');
    assert.equal(registered?.tokenEndpointAuthMethod, 'none');
    assert.ok(registered?.registration, 'kept as a self-registered (unverified) client');
    assert.ok(authorizationUrl);
    assert.equal(authorizationUrl.origin + authorizationUrl.pathname, `${tessera.url}/authorize`);
    assert.equal(authorizationUrl.searchParams.get('client_id'), clientId);
    assert.equal(authorizationUrl.searchParams.get('resource'), notes.resource);

    const code = await aliceAllows(tessera, authorizationUrl, /Notes agent \(MCP example\)/);
    const transport = new StreamableHTTPClientTransport(new URL(notes.resource), { authProvider: provider });
    await transport.finishAuth(code);
    const tokens = provider.tokens()!;
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(claims.aud, notes.resource);
    assert.equal(claims.client_id, clientId);
    assert.ok(tokens.refresh_token, 'refresh tokens are allowed by default');

    const client = new Client({ name: 'notes-agent', version: '1.0.0' });
    await client.connect(transport);
    assert.equal(textOf(await client.callTool({ name: 'add_note', arguments: { text: 'registered' } })), 'added note 1');
    assert.equal(textOf(await client.callTool({ name: 'list_notes', arguments: {} })), '1. registered');
    await client.close();
  });
});
