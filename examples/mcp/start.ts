/**
 * `npm start` (in examples/mcp): Tessera on :9000 with tessera.yaml (data in
 * .tessera/mcp at the repository root), then the notes MCP server on :3001.
 * Ctrl-C stops both.
 */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNotesServer } from './notes-server.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ISSUER = 'http://127.0.0.1:9000';

const tessera = spawn(process.execPath, [join(ROOT, 'bin/tessera.js'), 'start', '--config', 'examples/mcp/tessera.yaml', '--data', '.tessera/mcp'], {
  cwd: ROOT,
  stdio: ['ignore', 'inherit', 'inherit'],
});
tessera.once('exit', (code) => {
  console.error(`Tessera stopped (${code ?? 'signal'})`);
  process.exit(1);
});

for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${ISSUER}/readyz`)).ok) break;
  } catch {
    // not listening yet
  }
  if (i > 200) throw new Error('Tessera did not start within 30 s');
  await new Promise((r) => setTimeout(r, 150));
}

const notes = await startNotesServer({
  issuer: ISSUER,
  introspection: { clientId: 'notes-mcp', clientSecret: 'notes-mcp-introspection-secret-change-me' },
});
console.log(`
The notes MCP server is at ${notes.resource}, protected by Tessera at ${ISSUER}.
  Its metadata:   curl -s http://127.0.0.1:3001/.well-known/oauth-protected-resource/mcp
  Sign an agent in:   npm run client   (in another terminal, from examples/mcp)
  User: alice / alice-password-change-me
`);

function stop() {
  tessera.removeAllListeners('exit');
  tessera.kill('SIGTERM');
  void notes.close().then(() => process.exit(0));
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
