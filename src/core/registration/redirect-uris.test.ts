import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesLoopbackAnyPort, redirectUriKind } from './redirect-uris.js';

describe('redirect URIs of registered clients', () => {
  it('sorts URIs into https, loopback and private-use, refusing the rest', () => {
    assert.equal(redirectUriKind('https://app.example/cb'), 'https');
    assert.equal(redirectUriKind('http://127.0.0.1/cb'), 'loopback');
    assert.equal(redirectUriKind('http://[::1]:8080/cb'), 'loopback');
    assert.equal(redirectUriKind('http://localhost:3000/cb'), 'loopback');
    assert.equal(redirectUriKind('com.example.app:/oauth2redirect'), 'private-use');
    for (const uri of ['javascript:alert(1)', 'data:text/html,x', 'http://app.example/cb', 'myapp://cb', 'https://a.example/cb#x', 'https://u:p@a.example/cb', 'not a uri']) {
      assert.equal(typeof redirectUriKind(uri), 'object', uri);
    }
  });

  it('matches a loopback URI on any port, and nothing else (RFC 8252 §7.3)', () => {
    assert.ok(matchesLoopbackAnyPort('http://127.0.0.1/cb', 'http://127.0.0.1:51234/cb'));
    assert.ok(matchesLoopbackAnyPort('http://[::1]:1/cb?x=1', 'http://[::1]:9/cb?x=1'));
    assert.ok(!matchesLoopbackAnyPort('http://127.0.0.1/cb', 'http://127.0.0.1:5/other'));
    assert.ok(!matchesLoopbackAnyPort('http://127.0.0.1/cb', 'http://[::1]:5/cb'));
    assert.ok(!matchesLoopbackAnyPort('http://127.0.0.1/cb', 'http://127.0.0.1:5/x/../cb'));
    assert.ok(!matchesLoopbackAnyPort('https://app.example/cb', 'https://app.example:8443/cb'));
    assert.ok(!matchesLoopbackAnyPort('http://127.0.0.1/cb', 'https://127.0.0.1:5/cb'));
  });
});
