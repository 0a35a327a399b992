import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointAllowed, normalizeRequestPath, parseEndpointPattern } from './endpoint-patterns.js';

describe('endpoint patterns', () => {
  describe('parsing', () => {
    it('reads a method, literal segments, * wildcards and a trailing **', () => {
      assert.deepEqual(parseEndpointPattern('GET /calendars/*/events'), {
        source: 'GET /calendars/*/events',
        method: 'GET',
        segments: ['calendars', '*', 'events'],
        rest: false,
      });
      assert.deepEqual(parseEndpointPattern('* /tasks/**'), { source: '* /tasks/**', method: '*', segments: ['tasks'], rest: true });
      assert.deepEqual(parseEndpointPattern('DELETE /').segments, []);
      assert.deepEqual(parseEndpointPattern('GET /a/b/').segments, ['a', 'b']);
      assert.deepEqual(parseEndpointPattern('GET /**'), { source: 'GET /**', method: 'GET', segments: [], rest: true });
    });

    it('throws a TypeError on anything else', () => {
      const bad = [
        '',
        'GET',
        '/calendars',
        'get /calendars',
        'GET  /calendars',
        'GET calendars',
        'GET /calendars extra',
        'GET /a//b',
        'GET /a/../b',
        'GET /a/./b',
        'GET /a/**/b',
        'GET /a/b*',
        'GET /a/*b',
        'GET /a/***',
        'GET /a%2Fb',
        'GET /a?x=1',
        'GET /a#x',
        'GET /a\\b',
        'GET /a\u0000',
        'GET\t/a',
        `GET /${'a'.repeat(2000)}`,
      ];
      for (const pattern of bad) assert.throws(() => parseEndpointPattern(pattern), TypeError, JSON.stringify(pattern));
      assert.throws(() => parseEndpointPattern(42 as unknown as string), TypeError);
    });
  });

  describe('request path normalisation', () => {
    it('decodes escapes once, drops the query and a trailing slash', () => {
      assert.deepEqual(normalizeRequestPath('/a/b'), ['a', 'b']);
      assert.deepEqual(normalizeRequestPath('/a/b/'), ['a', 'b']);
      assert.deepEqual(normalizeRequestPath('/a/b?x=/../y'), ['a', 'b']);
      assert.deepEqual(normalizeRequestPath('/a/b/?'), ['a', 'b']);
      assert.deepEqual(normalizeRequestPath('/'), []);
      assert.deepEqual(normalizeRequestPath('/caf%C3%A9/%61'), ['café', 'a']);
      assert.deepEqual(normalizeRequestPath('/a/%252e%252e'), ['a', '%2e%2e']); // decoded once, not twice
      assert.deepEqual(normalizeRequestPath('/a;b/..;'), ['a;b', '..;']);
    });

    it('refuses paths that servers could read differently', () => {
      const hostile = [
        '',
        'a/b',
        '*',
        'http://evil.test/a',
        '/a/../b',
        '/a/./b',
        '/..',
        '/.',
        '/a/..',
        '/a/%2e%2e/b',
        '/a/%2E%2E/b',
        '/a/%2e/b',
        '/a/.%2e/b',
        '/a%2fb',
        '/a%2Fb',
        '/a%5cb',
        '/a%5Cb',
        '/a\\b',
        '//a',
        '/a//b',
        '/a/b//',
        '/a%00',
        '/a\u0000b',
        '/a%0Ab',
        '/a%',
        '/a%4',
        '/a%zz',
        '/a%C3',
        '/a%FF',
        '/a#b',
        '/a b',
        '/café',
      ];
      for (const path of hostile) assert.equal(normalizeRequestPath(path), undefined, JSON.stringify(path));
    });
  });

  describe('matching', () => {
    const patterns = ['GET /calendars/*/events', 'POST /tasks', '* /contacts/**', 'GET /'];

    it('allows what a pattern describes', () => {
      const allowed: [string, string][] = [
        ['GET', '/calendars/42/events'],
        ['GET', '/calendars/42/events/'],
        ['GET', '/calendars/42/events?from=2025-01-01'],
        ['GET', '/calendars/caf%C3%A9/events'],
        ['get', '/calendars/42/events'],
        ['POST', '/tasks'],
        ['POST', '/tasks/'],
        ['DELETE', '/contacts/7'],
        ['PATCH', '/contacts/7/phones/2'],
        ['GET', '/'],
        ['GET', '/?x=1'],
      ];
      for (const [method, path] of allowed) assert.equal(endpointAllowed(patterns, method, path), true, `${method} ${path}`);
    });

    it('refuses everything else', () => {
      const refused: [string, string][] = [
        ['POST', '/calendars/42/events'],
        ['GET', '/calendars/42'],
        ['GET', '/calendars/42/events/1'],
        ['GET', '/calendars//events'],
        ['GET', '/calendars/42/../43/events'],
        ['GET', '/calendars/42%2Fx/events'],
        ['GET', '/calendars/%2e%2e/events'],
        ['GET', '/tasks'],
        ['POST', '/tasks/1'],
        ['GET', '/contacts'],
        ['GET', '/contacts/'],
        ['GET', '/Contacts/7'],
        ['HEAD', '/'],
        ['GET', '/x'],
        ['GET', '/contacts/a/..'],
      ];
      for (const [method, path] of refused) assert.equal(endpointAllowed(patterns, method, path), false, `${method} ${path}`);
    });

    it('a * segment matches exactly one segment, never zero or two', () => {
      const p = ['GET /a/*'];
      assert.equal(endpointAllowed(p, 'GET', '/a/x'), true);
      assert.equal(endpointAllowed(p, 'GET', '/a'), false);
      assert.equal(endpointAllowed(p, 'GET', '/a/'), false);
      assert.equal(endpointAllowed(p, 'GET', '/a/x/y'), false);
    });

    it('takes parsed patterns, and lets invalid strings allow nothing', () => {
      assert.equal(endpointAllowed([parseEndpointPattern('* /**')], 'PUT', '/anything/at/all'), true);
      assert.equal(endpointAllowed(['GET /a/../**', 'nonsense'], 'GET', '/a/b'), false);
      assert.equal(endpointAllowed([], 'GET', '/'), false);
    });
  });
});
