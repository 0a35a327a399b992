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
    for (const uri of [
      'javascript:alert(1)',
      'data:text/html,x',
      'http://app.example/cb',
      'myapp://cb',
      'https://a.example/cb#x',
      'https://u:p@a.example/cb',
      'not a uri',
    ]) {
      assert.equal(typeof redirectUriKind(uri), 'object', uri);
    }
  });

  it('takes the plain private-use schemes MCP clients register when the policy is any, never a web, file, script or system one', () => {
    for (const uri of [
      'cursor://anysphere.cursor-retrieval/oauth/callback',
      'vscode://vscode.github-authentication/did-authenticate',
      'windsurf://codeium.windsurf/auth',
      'zed://oauth/callback',
      'myapp:/cb',
      'com.example.app:/cb',
    ]) {
      assert.equal(redirectUriKind(uri, 'any'), 'private-use', uri);
    }
    assert.equal(
      typeof redirectUriKind('cursor://anysphere.cursor-retrieval/oauth/callback', 'reverse-domain'),
      'object',
      'reverse-domain keeps RFC 8252 §7.1 strictly',
    );
    const refused = [
      'javascript:alert(1)',
      'JavaScript://%0aalert(1)',
      'data:text/html,x',
      'vbscript:x',
      'file:///etc/passwd',
      'blob:https://a.example/1',
      'about:blank',
      'view-source:https://a.example',
      'filesystem:https://a.example/x',
      'jar:https://a.example/x.jar!/',
      'http://app.example/cb',
      'HTTP://evil.example/cb',
      'https-login://evil.example/cb',
      'http.evil.example:/cb',
      'httpx://cb',
      'mailto:a@example.com',
      'tel:+1555',
      'ftp://a.example/cb',
      'wss://a.example/cb',
      'ms-msdt:/id',
      'search-ms:query=x',
      'ms-officecmd:x',
      'intent://cb#Intent;end',
      'chrome://settings',
      'web+app://cb',
      'cursor://cb#fragment',
      'cursor://user:pw@cb/x',
      'not a uri',
      `myapp:/${'a'.repeat(2000)}`,
    ];
    for (const uri of refused) {
      for (const policy of ['any', 'reverse-domain'] as const) assert.equal(typeof redirectUriKind(uri, policy), 'object', `${uri} (${policy})`);
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
