import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { configJsonSchema } from './json-schema.js';

const COMMITTED = new URL('../../../docs/tessera-config.schema.json', import.meta.url);

describe('configuration JSON Schema', () => {
  const validate = new Ajv2020({ strict: false, allErrors: true, logger: false }).compile(configJsonSchema());

  it('is the one committed in docs/, for editors', () => {
    assert.deepEqual(JSON.parse(readFileSync(COMMITTED, 'utf8')), configJsonSchema(), 'docs/tessera-config.schema.json is stale: run npm run docs');
  });

  it('accepts example.yaml', () => {
    const example = parse(readFileSync(new URL('../../../example.yaml', import.meta.url), 'utf8')) as unknown;
    assert.ok(validate(example), JSON.stringify(validate.errors));
  });

  it('refuses a misspelt key and a wrong type, as tessera apply does', () => {
    assert.equal(validate({ clients: [{ clientId: 'a', redirectUri: ['https://a.test/cb'] }] }), false);
    assert.equal(validate({ server: { port: 'ninety' } }), false);
    assert.equal(validate({ apis: [{ identifier: 'https://api.test', name: 'API', scopes: ['read'] }] }), true);
  });
});
