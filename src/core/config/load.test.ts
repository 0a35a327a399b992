import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from './load.js';

const API = 'apis:\n  - { identifier: "https://api.test", name: API, scopes: [read] }\n';

function errorOf(text: string): string {
  try {
    parseConfigText(text, 'tessera.yaml');
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail('expected a configuration error');
}

describe('configuration', () => {
  it('reads YAML and JSON, with defaults and durations', () => {
    const yaml = parseConfigText(`${API}  - { identifier: "https://b.test", name: B, ttl: 15m, format: reference }\n`, 'x');
    assert.equal(yaml.apis[0]?.ttl, 3600);
    assert.equal(yaml.apis[0]?.alg, 'ES256');
    assert.deepEqual(yaml.apis[0]?.scopes, [{ name: 'read', description: '' }]);
    assert.equal(yaml.apis[1]?.ttl, 900);
    const json = parseConfigText(JSON.stringify({ apis: [{ identifier: 'https://j.test', name: 'J' }] }), 'x');
    assert.equal(json.apis[0]?.format, 'jwt');
    assert.deepEqual(parseConfigText('', 'empty').clients, []);
  });

  it('names the field that is wrong', () => {
    assert.match(errorOf('apis:\n  - { identifier: nope, name: X }\n'), /apis\[0\]\.identifier: expected an absolute URI/);
    assert.match(errorOf(`${API}clients:\n  - { clientId: c, secrets: [short] }\n`), /clients\[0\]\.secrets\[0\]: a client secret must be at least 16/);
    assert.match(errorOf('apis:\n  - { identifier: "https://a.test", name: A, ttl: soon }\n'), /apis\[0\]\.ttl: expected a positive duration/);
    assert.match(errorOf('apis:\n  - { identifier: "https://a.test", name: A, alg: HS256 }\n'), /apis\[0\]\.alg/);
    assert.match(errorOf('users:\n  - { username: "ali\\0ce" }\n'), /users\[0\]\.username: a username must not contain control characters/);
    assert.match(errorOf('users:\n  - { username: "root\\nadmin" }\n'), /control characters/);
    assert.match(errorOf('bogus: 1\n'), /\(root\): Unrecognized key: "bogus"|bogus/);
    assert.match(errorOf('apis: [\n'), /not valid YAML or JSON/);
  });

  it('checks references between entities', () => {
    assert.match(errorOf(`clients:\n  - { clientId: c, secrets: [0123456789abcdef], api: "https://nope.test" }\n`), /clients\[0\]\.api: unknown API/);
    assert.match(errorOf(`${API}clients:\n  - { clientId: c, secrets: [0123456789abcdef], api: "https://api.test", scopes: [write] }\n`), /has no scope write/);
    assert.match(errorOf('users:\n  - { username: a, roles: [admin] }\n'), /users\[0\]\.roles: unknown role admin/);
    assert.match(errorOf(`${API}${API.replace('apis:\n', '')}`), /appears twice/);
  });

  it('refuses contradictory client settings', () => {
    assert.match(
      errorOf('clients:\n  - { clientId: p, type: public, tokenEndpointAuthMethod: client_secret_basic }\n'),
      /public client authenticates with "none"/,
    );
    assert.match(errorOf('clients:\n  - { clientId: p, tokenEndpointAuthMethod: private_key_jwt }\n'), /private_key_jwt needs jwks or jwksUri/);
    assert.match(errorOf('clients:\n  - { clientId: p, type: public, grantTypes: [client_credentials] }\n'), /public client cannot use client_credentials/);
  });
});
