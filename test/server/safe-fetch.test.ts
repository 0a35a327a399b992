import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MetadataFetchError } from '../../src/core/client-metadata/fetcher.js';
import { startHttpsDocuments, TEST_CA, type HttpsDocuments } from '../support/https-documents.js';
import { createSafeFetcher, createSafePoster, isNonPublicAddress } from '../../src/server/safe-fetch.js';

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof MetadataFetchError, String(error));
    return error.reason;
  }
  assert.fail('expected a refusal');
}

describe('safe fetch (client metadata documents)', () => {
  it('tells public addresses from every kind of non-public one, IPv4 and IPv6', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '198.18.0.1',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      'ff02::1',
      '2001:db8::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::a00:1',
      '2002:c0a8:101::1',
      '::127.0.0.1',
      'not-an-address',
    ]) {
      assert.equal(isNonPublicAddress(address), true, address);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::6810:85e5', '::ffff:8.8.8.8', '2a00:1450:4001::200e']) {
      assert.equal(isNonPublicAddress(address), false, address);
    }
  });

  describe('against a loopback https server', () => {
    let docs: HttpsDocuments;
    before(async () => {
      docs = await startHttpsDocuments();
      docs.documents.set('/ok.json', { body: { hello: 'world' }, headers: { 'cache-control': 'max-age=120' } });
      docs.documents.set('/moved.json', { status: 302, headers: { location: '/ok.json' }, body: '' });
      docs.documents.set('/big.json', { body: 'x'.repeat(6000) });
      docs.documents.set('/missing-length.json', { body: 'y'.repeat(6000), headers: { 'transfer-encoding': 'chunked' } });
      docs.documents.set('/error.json', { status: 500, body: '' });
      docs.documents.set('/hang.json', { hang: true, body: '' });
    });
    after(() => docs.close());
    const allowed = (timeoutMs = 5000) => createSafeFetcher({ allowPrivateAddresses: true, ca: TEST_CA, timeoutMs });

    it('refuses loopback by default, before connecting', async () => {
      const before = docs.hits.get('/ok.json') ?? 0;
      assert.equal(await refusal(createSafeFetcher({ ca: TEST_CA }).fetch(new URL(`${docs.origin}/ok.json`))), 'private_address');
      assert.equal(await refusal(createSafeFetcher({ ca: TEST_CA }).fetch(new URL(`https://127.0.0.1:${docs.port}/ok.json`))), 'private_address');
      assert.equal(await refusal(createSafeFetcher({ ca: TEST_CA }).fetch(new URL(`https://[::ffff:127.0.0.1]:${docs.port}/ok.json`))), 'private_address');
      assert.equal(docs.hits.get('/ok.json') ?? 0, before);
    });

    it('refuses a name with one private address among public ones (rebinding)', async () => {
      const fetcher = createSafeFetcher({
        lookup: async () => [
          { address: '93.184.216.34', family: 4 },
          { address: '10.0.0.1', family: 4 },
        ],
      });
      assert.equal(await refusal(fetcher.fetch(new URL('https://docs.example/x.json'))), 'private_address');
    });

    it('fetches with the setting and the test CA, connecting to the address it checked', async () => {
      let lookups = 0;
      const fetcher = createSafeFetcher({
        allowPrivateAddresses: true,
        ca: TEST_CA,
        lookup: async () => {
          lookups++;
          return [{ address: '127.0.0.1', family: 4 }];
        },
      });
      const fetched = await fetcher.fetch(new URL(`https://localhost:${docs.port}/ok.json`));
      assert.deepEqual(JSON.parse(fetched.body), { hello: 'world' });
      assert.equal(fetched.cacheControl, 'max-age=120');
      assert.equal(lookups, 1);
    });

    it('verifies the certificate: an unknown CA is refused', async () => {
      assert.equal(await refusal(createSafeFetcher({ allowPrivateAddresses: true }).fetch(new URL(`${docs.origin}/ok.json`))), 'connect_failed');
    });

    it('refuses http, redirects, errors, large bodies and slow servers', async () => {
      assert.equal(await refusal(allowed().fetch(new URL(`http://localhost:${docs.port}/ok.json`))), 'not_https');
      assert.equal(await refusal(allowed().fetch(new URL(`${docs.origin}/moved.json`))), 'redirect');
      assert.equal(await refusal(allowed().fetch(new URL(`${docs.origin}/error.json`))), 'http_status');
      assert.equal(await refusal(allowed().fetch(new URL(`${docs.origin}/big.json`))), 'too_large');
      assert.equal(await refusal(allowed().fetch(new URL(`${docs.origin}/missing-length.json`))), 'too_large');
      const started = Date.now();
      assert.equal(await refusal(allowed(300).fetch(new URL(`${docs.origin}/hang.json`))), 'timeout');
      assert.ok(Date.now() - started < 3000);
    });
  });

  describe('posting (back-channel logout tokens)', () => {
    let docs: HttpsDocuments;
    before(async () => {
      docs = await startHttpsDocuments();
      docs.documents.set('/logout', { body: '' });
      docs.documents.set('/moved', { status: 302, headers: { location: '/logout' }, body: '' });
      docs.documents.set('/hang', { hang: true, body: '' });
    });
    after(() => docs.close());

    it('refuses loopback, private answers and plain http by default, before connecting', async () => {
      const poster = createSafePoster({ ca: TEST_CA });
      assert.equal(await refusal(poster.post(new URL(`${docs.origin}/logout`), 'logout_token=x')), 'private_address');
      assert.equal(await refusal(poster.post(new URL(`http://127.0.0.1:${docs.port}/logout`), 'logout_token=x')), 'not_https');
      const rebinding = createSafePoster({
        lookup: async () => [
          { address: '93.184.216.34', family: 4 },
          { address: '10.0.0.1', family: 4 },
        ],
      });
      assert.equal(await refusal(rebinding.post(new URL('https://rp.example/logout'), 'logout_token=x')), 'private_address');
      assert.equal(docs.hits.get('/logout') ?? 0, 0);
    });

    it('posts with the setting, answers the status, follows no redirect and gives up on a slow server', async () => {
      const poster = createSafePoster({ allowPrivateAddresses: true, ca: TEST_CA, timeoutMs: 300 });
      assert.equal(await poster.post(new URL(`${docs.origin}/logout`), 'logout_token=x'), 200);
      assert.equal(docs.hits.get('/logout'), 1);
      assert.equal(await poster.post(new URL(`${docs.origin}/moved`), 'logout_token=x'), 302);
      assert.equal(docs.hits.get('/logout'), 1, 'the redirect was not followed');
      assert.equal(await refusal(poster.post(new URL(`${docs.origin}/hang`), 'logout_token=x')), 'timeout');
    });
  });
});
