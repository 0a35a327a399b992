// Writes the generated reference sections of the docs (src/server/reference-docs.ts):
// `npm run docs`, after changing a setting or the configuration file's schema.
import { readFileSync, writeFileSync } from 'node:fs';
import { generatedDocs } from '../src/server/reference-docs.js';

for (const [path, content] of Object.entries(generatedDocs((p) => readFileSync(p, 'utf8')))) {
  if (readFileSync(path, 'utf8') === content) continue;
  writeFileSync(path, content);
  console.log(`wrote ${path}`);
}
