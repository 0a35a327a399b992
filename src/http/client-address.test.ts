import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { clientAddressResolver, proxyMatcher } from './client-address.js';

const request = (peer: string, headers: Record<string, string> = {}) => ({ socket: { remoteAddress: peer }, headers }) as unknown as IncomingMessage;

describe('client address', () => {
  it('ignores forwarding headers unless proxies are trusted', () => {
    const resolve = clientAddressResolver(undefined);
    assert.equal(resolve(request('203.0.113.9', { 'x-forwarded-for': '1.2.3.4' })), '203.0.113.9');
    assert.equal(resolve(request('::ffff:203.0.113.9')), '203.0.113.9');
  });
  it('walks X-Forwarded-For from the right while the hop is a trusted proxy', () => {
    const resolve = clientAddressResolver(['10.0.0.0/8', 'loopback']);
    assert.equal(resolve(request('127.0.0.1', { 'x-forwarded-for': '198.51.100.7, 10.1.2.3' })), '198.51.100.7');
    // A client-supplied entry to the left of the real client is never reached.
    assert.equal(resolve(request('10.0.0.5', { 'x-forwarded-for': '1.1.1.1, 198.51.100.7' })), '198.51.100.7');
    // From an untrusted peer the header is ignored.
    assert.equal(resolve(request('203.0.113.9', { 'x-forwarded-for': '1.1.1.1' })), '203.0.113.9');
  });
  it('reads RFC 7239 Forwarded, preferred over X-Forwarded-For', () => {
    const resolve = clientAddressResolver(['private']);
    assert.equal(resolve(request('192.168.1.1', { forwarded: 'for="[2001:db8::1]:4711";proto=https', 'x-forwarded-for': '9.9.9.9' })), '2001:db8::1');
    assert.equal(resolve(request('192.168.1.1', { forwarded: 'for=198.51.100.7:1234, for=192.168.1.2' })), '198.51.100.7');
  });
  it('trusts a number of hops', () => {
    const resolve = clientAddressResolver(1);
    assert.equal(resolve(request('203.0.113.9', { 'x-forwarded-for': '1.1.1.1, 198.51.100.7' })), '198.51.100.7');
  });
  it('stops at a garbled entry', () => {
    assert.equal(clientAddressResolver(['loopback'])(request('127.0.0.1', { 'x-forwarded-for': 'unknown' })), '127.0.0.1');
  });
  it('fails at setup on a bad entry', () => {
    assert.throws(() => proxyMatcher(['10.0.0.0/33']), /prefix/);
    assert.throws(() => proxyMatcher(['proxy.internal']), /not an IP address/);
  });
});
