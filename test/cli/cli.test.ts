/**
 * The `tessera` command line as a user meets it: help, usage errors, apply/export
 * round trips, key rotation, and `start` as a real process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { tessera } from './run-cli.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('tessera CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
  const data = join(dir, 'data');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('explains itself', async () => {
    const help = await run('--help');
    assert.equal(help.code, 0);
    for (const verb of ['start', 'apply', 'export', 'keys', 'migrate']) assert.match(help.out, new RegExp(`\\b${verb}\\b`));
    const startHelp = await run('start', '--help');
    assert.match(startHelp.out, /--port/);
    assert.match(startHelp.out, /--issuer/);
    assert.match(startHelp.out, /^ {2}TESSERA_DATABASE_URL +PostgreSQL/m);
    assert.match(startHelp.out, /TESSERA_DATABASE_POOL_SIZE +PostgreSQL connections pooled per server process \(default\s+10; server\.database\.poolSize\)/);
    assert.match(startHelp.out.replace(/\s+/g, ' '), /Deprecated names, still read with a warning: DATABASE_URL \(now TESSERA_DATABASE_URL\)/);
    assert.match(startHelp.out, /^SIGTERM or SIGINT stops accepting requests/m);
  });

  it('reads a deprecated variable with a warning, and refuses a bad value naming it', async () => {
    const old = await tessera(['apply', 'example.yaml', '--data', join(dir, 'renamed')], { env: { TESSERA_DB_POOL_SIZE: '4' } });
    assert.equal(old.code, 0, old.err);
    assert.match(old.err, /^warning: TESSERA_DB_POOL_SIZE is deprecated: rename it TESSERA_DATABASE_POOL_SIZE$/m);
    const bad = await tessera(['apply', 'example.yaml', '--data', join(dir, 'renamed')], { env: { TESSERA_CACHE_TTL: 'soon' } });
    assert.equal(bad.code, 1);
    assert.equal(bad.err, 'tessera apply: TESSERA_CACHE_TTL must be a number of seconds from 0.1 to 3600, got soon');
  });

  it('answers usage mistakes with one line and exit code 2', async () => {
    for (const argv of [[], ['frobnicate'], ['start', '--bogus'], ['start', '--port', 'x'], ['apply'], ['keys', 'dance']]) {
      const result = await run(...argv);
      assert.equal(result.code, 2, argv.join(' '));
      if (argv.length > 0) assert.equal(result.err.split('\n').length, 1, argv.join(' '));
    }
  });

  it('applies a config idempotently and exports it with hashes only', async () => {
    const first = await run('apply', 'example.yaml', '--data', data);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /2 APIs, 6 clients, 1 users, 1 roles, 0 service accounts/);
    assert.match(first.err, /generated a new master key/);
    const exported = await run('export', '--data', data);
    assert.equal((await run('apply', 'example.yaml', '--data', data)).code, 0);
    assert.equal((await run('export', '--data', data)).out, exported.out, 'applying twice changes nothing');
    assert.doesNotMatch(exported.out, /change-me/, 'no secret or password in clear');
    assert.match(exported.out, /secretHashes:/);
    assert.match(exported.out, /passwordHash: scrypt\$/);

    const file = join(dir, 'exported.yaml');
    writeFileSync(file, exported.out);
    assert.equal((await run('apply', file, '--data', data)).code, 0);
    assert.equal((await run('export', '--data', data)).out, exported.out, 'the export applies back to itself');
  });

  it('names the bad field of an invalid file and exits 1', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'apis:\n  - { identifier: "https://a.test", name: A, format: paper }\n');
    const result = await run('apply', file, '--data', data);
    assert.equal(result.code, 1);
    assert.match(result.err, /apis\[0\]\.format/);
    const missing = await run('apply', join(dir, 'nope.yaml'), '--data', data);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /cannot read config file .*ENOENT/);
  });

  it('rotates keys, keeping the retired key listed', async () => {
    const rotated = await run('keys', 'rotate', '--alg', 'ES256', '--data', data);
    assert.equal(rotated.code, 0, rotated.err);
    assert.match(rotated.out, /ES256: now signing with \S+; next \S+ published/);
    assert.match(rotated.out, /ES256\s+retired\s+\S+\s+\S+Z\s+\d{4}-\d\d-\d\dT\S+Z/, 'the retired key stays published, until a time');
    assert.match((await run('migrate', '--data', data)).out, /schema is up to date/);
  });

  it('lists and revokes consents', async () => {
    assert.match((await run('consents', 'list', '--user', 'alice', '--data', data)).out, /has not consented/);
    assert.match((await run('consents', 'revoke', '--user', 'alice', '--client', 'calendar-app', '--data', data)).out, /no consent on file for calendar-app/);
    assert.equal((await run('consents', 'list', '--user', 'nobody', '--data', data)).code, 1);
    assert.equal((await run('consents', 'revoke', '--user', 'alice', '--data', data)).code, 2);
  });

  it('starts a server that prints its discovery URL and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/support/cli-entry.ts', 'start', '--port', '0', '--data', join(dir, 'srv'), '--config', 'example.yaml'],
      { env: { ...process.env, TESSERA_LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    // Generous: on a loaded 2-core machine tsx compiling the server can take 15 s or more.
    // On failure the child is killed, or it would keep this test file alive.
    const discovery = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`no discovery line: ${out}`));
      }, 60_000);
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /discovery\s+(\S+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const doc = (await (await fetch(discovery)).json()) as { issuer: string };
    assert.equal(`${doc.issuer}/.well-known/openid-configuration`, discovery);
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
  });
});
