import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CONFIGURATION_DOC, generatedDocs, spliceSection } from './reference-docs.js';

const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

describe('generated reference docs', () => {
  it('are the ones committed: after changing a setting or a schema, run npm run docs', () => {
    const generated = generatedDocs(read);
    assert.equal(read(CONFIGURATION_DOC), generated[CONFIGURATION_DOC], `${CONFIGURATION_DOC} is stale: run npm run docs`);
  });
  it('hold the settings table and the file reference between their markers', () => {
    const doc = read(CONFIGURATION_DOC);
    for (const text of [
      '`TESSERA_DATABASE_POOL_SIZE` (formerly `TESSERA_DB_POOL_SIZE`)',
      '| `--workers` |',
      '`server.database.poolSize`',
      '| `requireDpop` | boolean | `false` |',
    ]) {
      assert.ok(doc.includes(text), text);
    }
  });
  it('replace only what stands between the markers', () => {
    const text = 'before\n<!-- BEGIN GENERATED x (how) -->\nold\n<!-- END GENERATED x -->\nafter\n';
    assert.equal(spliceSection(text, 'x', 'new'), 'before\n<!-- BEGIN GENERATED x (how) -->\nnew\n<!-- END GENERATED x -->\nafter\n');
    assert.throws(() => spliceSection('no markers', 'x', 'new'), /BEGIN GENERATED x/);
  });
});
