/**
 * The database and Redis drivers are loaded only when configured (server/open-store.ts,
 * server/open-shared.ts): importing the CLI or resolving settings, and a command that
 * opens no store, load none of them. All three are CommonJS packages, so whatever
 * loads them leaves them in the CommonJS module cache, which a fresh process reports.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DRIVERS = ['pg', 'better-sqlite3', 'ioredis'];

/** The drivers a fresh process has loaded after running `script` (an ES module body). */
function driversLoadedBy(script: string): string[] {
  const report = `
const { createRequire } = await import('node:module');
const loaded = Object.keys(createRequire(import.meta.url).cache);
const drivers = ${JSON.stringify(DRIVERS)}.filter((d) => loaded.some((path) => path.includes('/node_modules/' + d + '/')));
process.stdout.write(JSON.stringify(drivers));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script + report], {
    cwd: ROOT,
    env: { ...process.env, TESSERA_DATABASE_URL: '', TESSERA_REDIS_URL: '', DATABASE_URL: '', REDIS_URL: '' },
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}

describe('drivers load lazily', () => {
  it('the check sees a driver that is loaded', () => {
    assert.deepEqual(driversLoadedBy("await import('./src/stores/postgres/postgres-store.ts');"), ['pg']);
  });

  it('importing the CLI and resolving settings loads no driver', () => {
    const script = `
const { resolveSettings } = await import('./src/server/settings.ts');
resolveSettings({ flags: {}, env: {} });
await import('./src/cli/main.ts');`;
    assert.deepEqual(driversLoadedBy(script), []);
  });

  it('a command that opens no store loads no driver', () => {
    const script = `
const { main } = await import('./src/cli/main.ts');
const io = { out() {}, err() {} };
for (const argv of [['--help'], ['start', '--help'], ['dev', '--help']]) await main(argv, io);`;
    assert.deepEqual(driversLoadedBy(script), []);
  });

  it('opening the embedded store loads SQLite alone', () => {
    const script = `
const { mkdtempSync, rmSync } = await import('node:fs');
const { join } = await import('node:path');
const { tmpdir } = await import('node:os');
const { openStore } = await import('./src/server/open-store.ts');
const dir = mkdtempSync(join(tmpdir(), 'tessera-lazy-'));
const store = await openStore({ dataDir: dir });
await store.close();
rmSync(dir, { recursive: true, force: true });`;
    assert.deepEqual(driversLoadedBy(script), ['better-sqlite3']);
  });
});
