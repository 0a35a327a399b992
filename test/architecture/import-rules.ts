/**
 * The rules of Tessera's layout (docs/architecture.md), checked against the import graph
 * (import-graph.ts). Each broken rule becomes one message naming the file, what it
 * imports and the rule, so a failing `npm test` says what to move where.
 *
 * Unit tests beside the code (`*.test.ts`) may use a real store as a fixture and
 * load drivers eagerly: they are not part of what `tessera` loads, so the layering
 * and lazy-loading rules read production files only.
 */
import type { ImportEdge } from './import-graph.js';

/** Database and Redis drivers, each allowed only in its own folder. */
export const DRIVERS: Record<string, string> = {
  pg: 'src/stores/postgres/',
  'better-sqlite3': 'src/stores/sqlite/',
  ioredis: 'src/redis/',
};

/** Folders whose modules load a driver: reached from elsewhere only by import() from src/server/. */
const DRIVER_FOLDERS = Object.values(DRIVERS);

/** What the engine must not know: HTTP servers and frameworks, drivers, logging and metrics. */
const NOT_IN_CORE = new Set(['node:http', 'node:https', 'node:http2', 'express', 'fastify', 'hono', 'pino', 'prom-client', ...Object.keys(DRIVERS)]);

/** The resource-server SDK: its own package, whose only runtime dependency is jose. */
const SDK = 'packages/resource-server/';
const SDK_NAME = '@tessera/resource-server';
const SDK_FRAMEWORKS = new Set(['express', 'fastify', 'hono']);

/** Cross-dialect tests in src/stores/ (comparing or seeding both SQL stores) may use both SQL drivers. */
const CROSS_DIALECT_TESTS = /^src\/stores\/[^/]+\.test\.ts$/;

/**
 * Modules only one place may use (production files; tests may use them too): the
 * engine's composition root is built only behind its facade, and only src/server/
 * binds the HTTP server, so `tessera start` and the test server share one assembly.
 */
const ONLY_FROM: { module: string; from: string; rule: string }[] = [
  {
    module: 'src/core/compose-engine.ts',
    from: 'src/core/authorization-server.ts',
    rule: 'the engine is composed in one place: use AuthorizationServer.create (src/core/authorization-server.ts)',
  },
  { module: 'src/http/http-server.ts', from: 'src/server/', rule: 'only src/server/ starts the HTTP server: use startServer (src/server/tessera-server.ts)' },
];

export const isTest = (path: string) => /\.test\.tsx?$/.test(path);
const under = (path: string | undefined, folder: string) => path !== undefined && path.startsWith(folder);

/** `src/core/keys/x.ts` → `src/core`. */
export function topFolder(path: string): string {
  return path.split('/').slice(0, 2).join('/');
}

const describe = (e: ImportEdge) => `${e.from} imports '${e.specifier}'${e.kind === 'static' ? '' : ` (${e.kind})`}`;

function checkEdge(e: ImportEdge): string[] {
  const problems: string[] = [];
  const broken = (rule: string) => problems.push(`${describe(e)}: ${rule}`);
  const production = !isTest(e.from);

  if (e.kind === 'dynamic' && e.file === undefined && e.packageName === undefined) {
    broken('an import() must name its module with a string literal, so these rules can follow it');
  }
  if (under(e.from, 'src/') && e.file !== undefined && !under(e.file, 'src/')) {
    broken(under(e.file, 'test/') ? 'no file in src/ imports from test/' : 'files in src/ import only files in src/ and packages');
  }

  if (under(e.from, 'src/core/')) {
    const allowed = ['src/core/', 'src/common/', ...(production ? [] : ['src/stores/'])];
    if (e.file !== undefined && under(e.file, 'src/') && !allowed.some((folder) => under(e.file, folder))) {
      broken(`src/core imports only src/core and src/common${production ? '' : ' (its unit tests may also use a store from src/stores)'}`);
    }
    if (e.packageName !== undefined && NOT_IN_CORE.has(e.packageName)) {
      broken('src/core (the engine) uses no HTTP server or framework, database or Redis driver, logger or metrics library: put that in an adapter folder');
    }
  }

  if (under(e.from, SDK)) {
    if (e.file !== undefined && !under(e.file, SDK)) broken(`the resource-server SDK imports only files in ${SDK} (it is published without the server)`);
    const name = e.packageName;
    // Its unit tests are not published: they may use dev dependencies.
    const allowed = name === undefined || !production || name === 'jose' || name.startsWith('node:') || (e.kind === 'type' && SDK_FRAMEWORKS.has(name));
    if (!allowed) {
      broken(`the resource-server SDK loads only jose and node built-ins (its adapters may import their framework's types, optional peer dependencies)`);
    }
  }
  if (production && under(e.from, 'src/') && !under(e.from, 'src/compat/') && e.packageName === SDK_NAME && e.specifier !== `${SDK_NAME}/shared`) {
    broken(`the server uses only ${SDK_NAME}/shared, the vocabulary it shares with the SDK`);
  }

  const only = production && e.kind !== 'type' ? ONLY_FROM.find((o) => e.file === o.module) : undefined;
  if (only !== undefined && !under(e.from, only.from)) broken(only.rule);

  const home = e.packageName !== undefined ? DRIVERS[e.packageName] : undefined;
  if (home !== undefined && !under(e.from, home)) {
    const crossDialect = CROSS_DIALECT_TESTS.test(e.from) && e.packageName !== 'ioredis';
    if (!crossDialect) broken(`the ${e.packageName} driver is used only in ${home}`);
  }

  const driverFolder = DRIVER_FOLDERS.find((folder) => under(e.file, folder));
  if (production && driverFolder !== undefined && !under(e.from, driverFolder) && e.kind !== 'type') {
    if (e.kind !== 'dynamic' || !under(e.from, 'src/server/')) {
      broken(`${driverFolder} loads a driver: only src/server/ loads it, by import() when configured (a type-only import is fine anywhere)`);
    }
  }
  return problems;
}

/** Cycles between top-level folders of src/ (production files; every kind of import counts). */
export function folderCycles(edges: ImportEdge[]): string[] {
  const examples = new Map<string, ImportEdge>();
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (isTest(e.from) || e.file === undefined || !under(e.file, 'src/')) continue;
    const [a, b] = [topFolder(e.from), topFolder(e.file)];
    if (a === b) continue;
    if (!examples.has(`${a} ${b}`)) examples.set(`${a} ${b}`, e);
    next.set(a, (next.get(a) ?? new Set()).add(b));
  }
  const cycles = new Map<string, string[]>();
  // Depth-first from every folder; a path that comes back to its start is a cycle,
  // reported once (rotated to start at its smallest folder).
  const walk = (start: string, path: string[]): void => {
    for (const to of next.get(path.at(-1)!) ?? []) {
      if (to === start) {
        const i = path.indexOf([...path].sort()[0]!);
        const cycle = [...path.slice(i), ...path.slice(0, i)];
        cycles.set(cycle.join(' '), cycle);
      } else if (!path.includes(to) && to > start) {
        walk(start, [...path, to]);
      }
    }
  };
  for (const folder of [...next.keys()].sort()) walk(folder, [folder]);
  return [...cycles.values()].map((cycle) => {
    const steps = cycle.map((a, i) => examples.get(`${a} ${cycle[(i + 1) % cycle.length]}`)!);
    return `folder cycle ${[...cycle, cycle[0]].join(' -> ')}: ${steps.map(describe).join('; ')}. Folders of src/ depend one way: move the shared part to the folder both may import`;
  });
}

/** Every broken rule, one message each; empty when the layout holds. */
export function checkImportRules(edges: ImportEdge[]): string[] {
  return [...edges.flatMap(checkEdge), ...folderCycles(edges)];
}
