import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configReference, typeText } from './config-reference.js';

describe('configuration file reference', () => {
  it('words types and bounds for people', () => {
    assert.equal(typeText({ type: 'integer', minimum: 1, maximum: 1000 }), 'integer 1–1000');
    assert.equal(typeText({ type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), 'integer ≥ 1');
    assert.equal(typeText({ type: 'string', enum: ['jwt', 'reference'] }), '`jwt`, `reference`');
    assert.equal(
      typeText({
        anyOf: [
          { type: 'integer', minimum: 1, maximum: 256 },
          { type: 'string', const: 'auto' },
        ],
      }),
      'integer 1–256 or `"auto"`',
    );
    assert.equal(typeText({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } }), 'map of list of string');
    assert.equal(typeText({ type: 'string', minLength: 1 }), 'string, not empty');
    assert.equal(typeText({ type: 'array', items: { type: 'string' }, minItems: 1 }), 'list of string, not empty');
    assert.equal(typeText({ title: 'duration', type: ['number', 'string'] }), 'duration: seconds, or "90s", "15m", "1h", "30d"');
  });

  it('has a row for every key, nested ones dotted, with defaults and descriptions', () => {
    const reference = configReference({ defaultOf: (path) => (path === 'server.port' ? '9000' : undefined) });
    for (const section of ['server', 'apis', 'clients', 'users', 'roles', 'serviceAccounts', 'identityProviders', 'registration']) {
      assert.match(reference, new RegExp(`^### \`${section}:\``, 'm'));
    }
    assert.match(reference, /^\| `port` \| integer 0–65535 \| 9000 \| port to listen on \|$/m);
    assert.match(reference, /^\| `database\.poolSize` \| integer 1–1000 \| {2}\| PostgreSQL connections pooled per server process \|$/m);
    assert.match(reference, /^\| `roleMappings\[\]\.claim` \| string \| required \| {2}\|$/m);
    assert.match(reference, /^\| `format` \| `jwt`, `reference` \| `"jwt"` \| access tokens as signed JWTs/m);
  });
});
