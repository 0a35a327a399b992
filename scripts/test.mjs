#!/usr/bin/env node
// Finds every *.test.ts under src/, packages/ and test/ and runs them with node's test
// runner (through tsx, so tests need no build step). Node 20's --test takes no globs.
// The `tessera-source` condition makes `@tessera/resource-server` resolve to its TypeScript
// sources (packages/resource-server/package.json), so tests never run a stale dist/; it is
// passed in NODE_OPTIONS so processes the tests spawn resolve the same way.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : find(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = ['src', 'packages', 'test'].flatMap(find).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: {
    ...process.env,
    NODE_OPTIONS: [process.env.NODE_OPTIONS, '--conditions=tessera-source'].filter(Boolean).join(' '),
    TESSERA_LOG_LEVEL: process.env.TESSERA_LOG_LEVEL ?? 'silent',
  },
});
process.exit(result.status ?? 1);
