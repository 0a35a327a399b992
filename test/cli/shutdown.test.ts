/**
 * Graceful shutdown of `tessera start` as a real process: SIGTERM in the middle of a
 * burst of token requests. Afterwards the SQLite store must hold a token.issued event
 * for every token a client received: no acknowledged audit event is lost.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';

const jtiOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;

describe('graceful shutdown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-shutdown-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finishes in-flight requests on SIGTERM and loses no acknowledged audit event', async () => {
    const data = join(dir, 'data');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/support/cli-entry.ts', 'start', '--port', '0', '--data', data, '--config', 'example.yaml'],
      { env: { ...process.env, TESSERA_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      // Generous for a loaded 2-core machine; on failure the child is killed so the file can end.
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`no listening line: ${out}`));
      }, 60_000);
      child.stdout.on('data', () => {
        const match = /listening\s+(\S+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      void exited.then((code) => reject(new Error(`exited ${code}: ${out}`)));
    });

    const received: string[] = [];
    let signalled = false;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'delivery-planner',
      client_secret: 'delivery-planner-secret-change-me',
      resource: 'https://api.organizer.example',
    }).toString();
    const worker = async () => {
      for (;;) {
        let res: Response;
        try {
          res = await fetch(`${url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
        } catch {
          return; // refused or cut: the server has stopped accepting
        }
        if (res.status !== 200) return;
        received.push(jtiOf(((await res.json()) as { access_token: string }).access_token));
        if (received.length >= 150 && !signalled) {
          signalled = true;
          child.kill('SIGTERM');
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    assert.equal(await exited, 0, out);
    assert.ok(signalled && received.length >= 150, `${received.length} tokens received`);

    const store = new SqliteStore(join(data, 'tessera.db'));
    try {
      const recorded = new Set<string>();
      let after = 0;
      for (;;) {
        const page = await store.readAuditChain(after, 500);
        for (const r of page) if (r.type === 'token.issued' && r.tokenId) recorded.add(r.tokenId);
        if (page.length < 500) break;
        after = page[page.length - 1]!.sequence;
      }
      const lost = received.filter((jti) => !recorded.has(jti));
      assert.deepEqual(lost, [], `${lost.length} of ${received.length} acknowledged tokens have no audit event`);
    } finally {
      await store.close();
    }
  });
});
