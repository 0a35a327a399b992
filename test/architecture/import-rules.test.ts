/**
 * The layout's rules hold for src/ as it is (import-rules.ts), and the checker would
 * see each kind of breach: a rule check that cannot fail guards nothing.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { importsOf, readImports, type ImportEdge } from './import-graph.js';
import { checkImportRules } from './import-rules.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('import rules', () => {
  it('hold for every file under src/ and the SDK package', () => {
    const edges = [...readImports(ROOT), ...readImports(ROOT, 'packages/resource-server/src')];
    assert.ok(
      edges.some((e) => e.from.startsWith('packages/resource-server/src/adapters/')),
      'the SDK package is read',
    );
    assert.ok(edges.length > 500, `read only ${edges.length} imports: is the parser finding them?`);
    const problems = checkImportRules(edges);
    assert.deepEqual(problems, [], `\n${problems.join('\n')}\n`);
  });

  it('reads static, type-only, re-exported and dynamic imports', () => {
    const edges = importsOf(
      'src/server/x.ts',
      `import a from 'pg';
import type { B } from '../core/b.js';
import { type C, type D } from './c.js';
import { E, type F } from './e.js';
export { G } from '../http/g.js';
export type { H } from '../http/h.js';
const i = await import('../stores/sqlite/sqlite-store.js');
type J = import('node:crypto').KeyObject;
const k = await import(name);`,
    );
    assert.deepEqual(
      edges.map((e) => [e.kind, e.file ?? e.packageName ?? e.specifier]),
      [
        ['static', 'pg'],
        ['type', 'src/core/b.ts'],
        ['type', 'src/server/c.ts'],
        ['static', 'src/server/e.ts'],
        ['static', 'src/http/g.ts'],
        ['type', 'src/http/h.ts'],
        ['dynamic', 'src/stores/sqlite/sqlite-store.ts'],
        ['type', 'node:crypto'],
        ['dynamic', 'name'],
      ],
    );
  });

  it('names the file and the rule for each kind of breach', () => {
    const edge = (from: string, specifier: string, kind: ImportEdge['kind'] = 'static') =>
      importsOf(from, kind === 'dynamic' ? `await import('${specifier}');` : `import ${kind === 'type' ? 'type ' : ''}{ x } from '${specifier}';`)[0]!;
    const cases: [ImportEdge, RegExp][] = [
      [edge('src/core/a.ts', '../pages/views.js'), /^src\/core\/a\.ts imports '\.\.\/pages\/views\.js': src\/core imports only src\/core and src\/common$/],
      [edge('src/core/a.ts', 'node:http'), /src\/core \(the engine\) uses no HTTP server/],
      [edge('src/core/a.test.ts', '../http/x.js'), /its unit tests may also use a store/],
      [edge('src/http/a.ts', 'ioredis'), /^src\/http\/a\.ts imports 'ioredis': the ioredis driver is used only in src\/redis\/$/],
      [edge('src/stores/contract/a.ts', 'better-sqlite3'), /the better-sqlite3 driver is used only in src\/stores\/sqlite\//],
      [edge('src/cli/a.ts', '../stores/postgres/postgres-store.js'), /only src\/server\/ loads it, by import\(\)/],
      [edge('src/server/a.ts', '../redis/redis-connection.js'), /only src\/server\/ loads it, by import\(\)/],
      [edge('src/cli/a.ts', '../stores/postgres/postgres-store.js', 'dynamic'), /only src\/server\/ loads it/],
      [edge('src/stores/a.ts', '../../test/support/x.js'), /no file in src\/ imports from test\//],
      [edge('packages/resource-server/src/a.ts', '../../../src/core/x.js'), /the resource-server SDK imports only files in packages\/resource-server\//],
      [edge('packages/resource-server/src/a.ts', 'zod'), /the resource-server SDK loads only jose and node built-ins/],
      [edge('packages/resource-server/src/adapters/a.ts', 'express'), /the resource-server SDK loads only jose/],
      [edge('src/core/a.ts', '@tessera/resource-server'), /the server uses only @tessera\/resource-server\/shared/],
      [edge('src/core/a.ts', '../../packages/resource-server/src/shared/index.js'), /files in src\/ import only files in src\/ and packages/],
      [importsOf('src/server/a.ts', 'await import(name);')[0]!, /must name its module with a string literal/],
      [edge('src/cli/a.ts', '../core/compose-engine.js'), /the engine is composed in one place/],
      [edge('src/cli/verbs/a.ts', '../../http/http-server.js'), /only src\/server\/ starts the HTTP server/],
    ];
    for (const [e, message] of cases) {
      const problems = checkImportRules([e]);
      assert.equal(problems.length, 1, `${e.from} -> ${e.specifier}: ${problems.join(' | ')}`);
      assert.match(problems[0]!, message);
    }
  });

  it('allows what the rules allow', () => {
    const allowed = [
      importsOf('src/server/a.ts', "await import('../stores/postgres/postgres-store.js');"),
      importsOf('src/server/a.ts', "import type { X } from '../stores/postgres/postgres-store.js';"),
      importsOf('src/stores/postgres/a.ts', "import pg from 'pg'; import { y } from '../pool-defaults.js';"),
      importsOf('src/stores/both.test.ts', "import pg from 'pg'; import Database from 'better-sqlite3';"),
      importsOf('src/core/a.test.ts', "import { SqliteStore } from '../stores/sqlite/sqlite-store.js';"),
      importsOf('src/core/a.ts', "import { z } from 'zod'; import { c } from '../common/c.js'; import { createHash } from 'node:crypto';"),
      importsOf('src/core/a.ts', "import { ACR_VALUES } from '@tessera/resource-server/shared';"),
      importsOf('src/compat/resource-server/index.ts', "export * from '@tessera/resource-server';"),
      importsOf(
        'packages/resource-server/src/adapters/a.ts',
        "import type { RequestHandler } from 'express'; import { jwtVerify } from 'jose'; import { b } from '../b.js';",
      ),
      importsOf('packages/resource-server/src/a.test.ts', "import express from 'express';"),
      importsOf('src/server/tessera-server.ts', "import { listen } from '../http/http-server.js';"),
      importsOf('src/http/routes.ts', "import type { EndpointHandler } from '../core/compose-engine.js';"),
    ].flat();
    assert.deepEqual(checkImportRules(allowed), []);
  });

  it('finds a cycle between folders, with an import for each step', () => {
    const edges = [
      ...importsOf('src/http/routes.ts', "import { consoleRoutes } from '../console/console-routes.js';"),
      ...importsOf('src/console/console-routes.ts', "import type { Route } from '../http/routes.js';"),
      ...importsOf('src/console/x.test.ts', "import { y } from '../management/y.js';"),
      ...importsOf('src/management/y.ts', "import { c } from '../console/c.js';"),
    ];
    assert.deepEqual(checkImportRules(edges), [
      "folder cycle src/console -> src/http -> src/console: src/console/console-routes.ts imports '../http/routes.js' (type); src/http/routes.ts imports '../console/console-routes.js'. Folders of src/ depend one way: move the shared part to the folder both may import",
    ]);
  });
});
