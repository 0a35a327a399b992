/**
 * `tessera/resource-server` and its adapters were the SDK's entry points before it became
 * its own package; for one release the `tessera` package still serves them, re-exporting
 * `@tessera/resource-server` (src/compat). Each old entry point must name a re-export
 * that exists and hands out the package's own functions.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ADAPTERS = ['express', 'fastify', 'hono', 'node-http'];

describe('resource-server: the deprecated tessera/resource-server entry points', () => {
  it('map each old subpath to its re-export, and nothing else', async () => {
    const exports = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).exports as Record<string, unknown>;
    assert.deepEqual(
      Object.keys(exports).filter((k) => k !== './package.json'),
      ['./resource-server', ...ADAPTERS.map((a) => `./resource-server/${a}`)],
    );
    for (const [sub, module] of [['', 'index'], ...ADAPTERS.map((a) => [`/${a}`, a])] as const) {
      assert.deepEqual(exports[`./resource-server${sub}`], {
        types: `./dist/compat/resource-server/${module}.d.ts`,
        default: `./dist/compat/resource-server/${module}.js`,
      });
      const source = await readFile(join(ROOT, 'src/compat/resource-server', `${module}.ts`), 'utf8');
      assert.match(source, new RegExp(`^export \\* from '@tessera/resource-server${sub}';$`, 'm'));
    }
  });

  it('hand out the package’s own functions', async () => {
    const old = await import('../../src/compat/resource-server/index.js');
    const sdk = await import('@tessera/resource-server');
    assert.deepEqual(Object.keys(old).sort(), Object.keys(sdk).sort());
    assert.equal(old.createAuthenticator, sdk.createAuthenticator);
    for (const adapter of ADAPTERS) {
      const was = await import(`../../src/compat/resource-server/${adapter}.js`);
      const now = await import(`@tessera/resource-server/${adapter}`);
      assert.equal(typeof was.requireAuth, 'function', adapter);
      assert.equal(was.requireAuth, now.requireAuth, adapter);
    }
  });
});
