/**
 * The SDK as an API team gets it: `npm pack` of packages/resource-server, installed with
 * npm into an empty project, validates a token from a real Tessera. Nothing native may
 * be built or installed (no better-sqlite3, no node-gyp): the package's only dependency
 * is jose, and its framework adapters load without their frameworks.
 *
 * The package is built fresh into a temporary copy (so a stale dist/ cannot pass, and
 * the working tree is not written), then packed with its own package.json and README.
 *
 * The install is offline and needs nothing from the network or the npm cache: jose is
 * offered as a tarball packed from the repository's node_modules (the version the lock
 * file pins). `npm install --offline <sdk.tgz>` alone is not enough even after `npm ci`:
 * npm ci fetches tarballs by the lock file's URLs and never caches jose's registry
 * document, which resolving the SDK's `jose: ^6` range needs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { makeFixture, ORGANIZER, SECRETS } from '../support/fixture.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PACKAGE = join(ROOT, 'packages/resource-server');
const NPM = 'npm';

/** The environment of an API team's shell: none of this repository's npm or Node settings. */
function cleanEnv(cache: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_cache: cache, npm_config_update_notifier: 'false' };
}

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? filesUnder(dir, join(prefix, e.name)) : Promise.resolve([join(prefix, e.name)]))));
  return nested.flat();
}

/** Runs in the installed project, as plain JavaScript without tsx: what an API's code would do. */
const CHECK = `
import { createAuthenticator, requireScopes } from '@tessera/resource-server';
import { requireAuth } from '@tessera/resource-server/node-http';
// The adapters load without their frameworks, which are optional peer dependencies.
for (const adapter of ['express', 'fastify', 'hono']) {
  const mod = await import('@tessera/resource-server/' + adapter);
  if (typeof mod.requireAuth !== 'function') throw new Error(adapter + ': no requireAuth');
}
const auth = createAuthenticator({ issuer: process.env.ISSUER, audience: process.env.AUDIENCE });
const call = (token) => ({ method: 'GET', url: '/calendars', headers: { authorization: 'Bearer ' + token } });
const valid = await auth.authenticate(call(process.env.TOKEN));
const [h, p, s] = process.env.TOKEN.split('.');
const forged = await auth.authenticate(call([h, p, (s[0] === 'A' ? 'B' : 'A') + s.slice(1)].join('.')));
await auth.close();
console.log(JSON.stringify({
  resolved: import.meta.resolve('@tessera/resource-server'),
  valid: valid.ok ? { subject: valid.principal.subject, scopes: valid.principal.scopes, refusal: requireScopes('read:calendars', 'admin').check(valid.principal, Date.now() / 1000) ?? null } : valid.error,
  forged: forged.ok ? 'accepted' : forged.error.error,
  nodeHttpAdapter: typeof requireAuth,
}));
`;

describe('resource-server: the npm package installs alone', () => {
  let dir: string;
  let started: Promise<TestServer> | undefined;
  let server: TestServer;
  let packed: string[];

  before(async () => {
    // The test Tessera starts while the package is built, packed and installed.
    started = makeFixture().then(({ config }) => startTestServer({ config }));
    started.catch(() => {}); // awaited below; a failure is reported there, not as unhandled
    dir = await mkdtemp(join(tmpdir(), 'tessera-sdk-package-'));
    const env = cleanEnv(join(dir, 'npm-cache'));
    const pkg = join(dir, 'package');
    await mkdir(pkg);
    for (const file of ['package.json', 'README.md']) await writeFile(join(pkg, file), await readFile(join(PACKAGE, file)));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const built = run(process.execPath, [tsc, '-p', join(PACKAGE, 'tsconfig.json'), '--outDir', join(pkg, 'dist')]);
    const [sdkPack, josePack] = await Promise.all([
      built.then(() => run(NPM, ['pack', pkg, '--pack-destination', dir, '--ignore-scripts', '--json'], { cwd: dir, env })),
      run(NPM, ['pack', join(ROOT, 'node_modules/jose'), '--pack-destination', dir, '--ignore-scripts', '--json'], { cwd: dir, env }),
    ]);
    const sdk = JSON.parse(sdkPack.stdout)[0];
    packed = sdk.files.map((f: { path: string }) => f.path);
    const joseTarball = JSON.parse(josePack.stdout)[0].filename as string;

    const app = join(dir, 'app');
    await mkdir(app);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'an-api', version: '1.0.0', private: true, type: 'module' }));
    await writeFile(join(app, 'check.mjs'), CHECK);
    await run(NPM, ['install', '--offline', '--no-audit', '--no-fund', '--foreground-scripts', join(dir, joseTarball), join(dir, sdk.filename)], {
      cwd: app,
      env,
    });
    server = await started;
  });
  after(async () => {
    await started?.then((s) => s.close()).catch(() => {});
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('packs the built JavaScript, its declarations and the README, and no sources or tests', () => {
    for (const expected of [
      'package.json',
      'README.md',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/adapters/express.js',
      'dist/adapters/hono.d.ts',
      'dist/shared/index.js',
    ]) {
      assert.ok(packed.includes(expected), `the tarball has ${expected}`);
    }
    const unexpected = packed.filter((f) => !['package.json', 'README.md'].includes(f) && !/^dist\/.+\.(js|d\.ts)$/.test(f));
    assert.deepEqual(unexpected, []);
    assert.deepEqual(
      packed.filter((f) => f.includes('.test.')),
      [],
    );
  });

  it('installs only itself and jose: nothing native, no node-gyp', async () => {
    const app = join(dir, 'app');
    const lock = JSON.parse(await readFile(join(app, 'node_modules/.package-lock.json'), 'utf8'));
    assert.deepEqual(Object.keys(lock.packages).sort(), ['node_modules/@tessera/resource-server', 'node_modules/jose']);
    const installed = await filesUnder(join(app, 'node_modules'));
    assert.ok(installed.length > 20, `read ${installed.length} installed files`);
    assert.deepEqual(
      installed.filter(
        (f) => f.endsWith('.node') || f.endsWith('binding.gyp') || /(^|\/)(better-sqlite3|node-gyp|prebuild-install|pg|ioredis|pino|prom-client)\//.test(f),
      ),
      [],
    );
    const manifest = JSON.parse(await readFile(join(app, 'node_modules/@tessera/resource-server/package.json'), 'utf8'));
    assert.deepEqual(Object.keys(manifest.dependencies), ['jose']);
    assert.deepEqual(Object.keys(manifest.peerDependenciesMeta).sort(), ['express', 'fastify', 'hono']);
  });

  it('validates a token from a real Tessera with the installed package, and refuses a forged one', async () => {
    const res = await server.post('/token', { grant_type: 'client_credentials', resource: ORGANIZER }, basic('basic-client', SECRETS.basic));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const app = join(dir, 'app');
    const { stdout } = await run(process.execPath, ['check.mjs'], {
      cwd: app,
      env: { ...cleanEnv(join(dir, 'npm-cache')), ISSUER: server.url, AUDIENCE: ORGANIZER, TOKEN: res.body.access_token as string },
    });
    const result = JSON.parse(stdout);
    assert.ok((result.resolved as string).startsWith(`file://${join(app, 'node_modules/@tessera/resource-server/dist/')}`), result.resolved);
    assert.deepEqual(result.valid, {
      subject: 'basic-client',
      scopes: ['read:calendars', 'write:calendars'],
      refusal: { reason: 'insufficient_scope', scope: 'read:calendars admin' },
    });
    assert.equal(result.forged, 'invalid_token');
    assert.equal(result.nodeHttpAdapter, 'function');
  });
});
