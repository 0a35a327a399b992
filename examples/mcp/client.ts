/**
 * `npm run client` (in examples/mcp): an MCP client, built on the MCP SDK, that signs
 * in through Tessera and calls the notes tools as you.
 *
 * It identifies itself by a client ID metadata document, which it serves itself at
 * https://localhost:3443/notes-agent/client.json (a demo certificate that tessera.yaml
 * trusts); or, with `--register` (`npm run client -- --register`), it registers itself
 * with Tessera (RFC 7591), as most MCP clients do. Either way it receives the
 * authorization code on http://127.0.0.1:33418/callback.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { clientDocument, MemoryOAuthProvider } from './client-provider.js';

const MCP_SERVER = new URL(process.env.MCP_SERVER ?? 'http://127.0.0.1:3001/mcp');
const REGISTER = process.argv.includes('--register');
const CLIENT_ID = 'https://localhost:3443/notes-agent/client.json';
const CALLBACK = 'http://127.0.0.1:33418/callback';
const tls = (name: string) => readFileSync(new URL(`./tls/${name}`, import.meta.url));

// 1. Publish the client ID metadata document (unless registering instead).
const documentServer = REGISTER
  ? undefined
  : createHttpsServer({ cert: tls('localhost.pem'), key: tls('localhost-key.pem') }, (req, res) => {
      if (req.url !== '/notes-agent/client.json') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' }).end(JSON.stringify(clientDocument(CLIENT_ID, CALLBACK)));
    }).listen(3443, '127.0.0.1');

// 2. Wait for the browser to come back with the code.
let resolveCode: (code: string) => void;
const codeArrives = new Promise<string>((resolve) => (resolveCode = resolve));
const callbackServer = createHttpServer((req, res) => {
  const url = new URL(req.url ?? '/', CALLBACK);
  const code = url.searchParams.get('code');
  res.writeHead(200, { 'content-type': 'text/plain' }).end(code ? 'Signed in. You can close this tab.' : `Not signed in: ${url.searchParams.get('error')}`);
  if (code) resolveCode(code);
}).listen(33418, '127.0.0.1');

const provider = new MemoryOAuthProvider({
  ...(REGISTER ? {} : { clientId: CLIENT_ID }),
  redirectUri: CALLBACK,
  onRedirect: (url) => console.log(`\nOpen this in your browser and sign in as alice / alice-password-change-me:\n\n  ${url.href}\n`),
});

// 3. Connect: the server answers 401, the SDK finds Tessera (RFC 9728) and sends you to sign in.
const client = new Client({ name: 'notes-agent', version: '1.0.0' });
try {
  await client.connect(new StreamableHTTPClientTransport(MCP_SERVER, { authProvider: provider }));
} catch (error) {
  if (!(error instanceof UnauthorizedError)) throw error;
  const transport = new StreamableHTTPClientTransport(MCP_SERVER, { authProvider: provider });
  await transport.finishAuth(await codeArrives);
  if (REGISTER) console.log(`Registered as ${provider.clientInformation()?.client_id}.`);
  await client.connect(transport);
}

// 4. Use the tools, as alice.
const { tools } = await client.listTools();
console.log(`Signed in. Tools: ${tools.map((t) => t.name).join(', ')}`);
const text = (r: unknown) => (r as { content: { text: string }[] }).content.map((c) => c.text).join('\n');
console.log(text(await client.callTool({ name: 'add_note', arguments: { text: `a note from the MCP client, ${new Date().toISOString()}` } })));
console.log(text(await client.callTool({ name: 'list_notes', arguments: {} })));

await client.close();
documentServer?.close();
callbackServer.close();
