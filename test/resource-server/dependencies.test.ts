/**
 * The SDK is installed by API authors: it must never pull in the server. Its runtime
 * imports are jose, node built-ins and its own files (packages/resource-server/src);
 * adapters may import their framework's types, which vanish at run time.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SDK_DIRS = ['packages/resource-server/src'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

const IMPORT = /^\s*(import|export)\s+(type\s+)?[^'";]*?\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm;

describe('resource-server: dependencies', () => {
  it('imports only jose, node built-ins and its own files at run time', () => {
    const files = SDK_DIRS.flatMap((d) => sources(join(root, d)));
    assert.ok(files.length > 10);
    const seen = new Set<string>();
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const typeOnly = Boolean(match[2]);
        const specifier = (match[3] ?? match[4])!;
        const where = `${relative(root, file)} imports ${specifier}`;
        seen.add(specifier);
        if (specifier.startsWith('.')) {
          const target = relative(root, resolve(dirname(file), specifier));
          assert.ok(
            SDK_DIRS.some((d) => target.startsWith(`${d}/`)),
            where,
          );
        } else if (typeOnly) {
          assert.ok(['express', 'fastify', 'hono', 'jose'].includes(specifier) || specifier.startsWith('node:'), where);
        } else {
          assert.ok(specifier === 'jose' || specifier.startsWith('node:'), where);
        }
      }
    }
    for (const expected of ['jose', 'node:crypto', './shared/endpoint-patterns.js', 'express']) assert.ok(seen.has(expected), `the scan sees ${expected}`);
  });
});
