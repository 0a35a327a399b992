/**
 * RFC 9728 protected resource metadata through each adapter: the document at the
 * path-suffixed and bare well-known paths, `resource_metadata` in the challenges, and
 * discovery by a real client (the MCP SDK's) from nothing but the API's URL.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { discoverOAuthProtectedResourceMetadata, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import { FrozenClock } from '../../src/core/clock.js';
import { protectedResourceMetadata, requireAuth } from '../../packages/resource-server/src/adapters/node-http.js';
import { createAuthenticator, metadataUrlFor, requireScopes } from '../../packages/resource-server/src/index.js';
import { rawGet, serveWith, type AdapterName, type RunningApp } from './support/apps.js';
import { AUDIENCE, INTROSPECTOR, startFakeIssuer, type FakeIssuer } from './support/fake-issuer.js';

const RESOURCE = 'https://api.organizer.test/v1';
const METADATA_URL = 'https://api.organizer.test/.well-known/oauth-protected-resource/v1';

describe('protected resource metadata (RFC 9728)', () => {
  let issuer: FakeIssuer;
  const clock = new FrozenClock(1_800_000_000);
  let jwt: string;
  let jwtContacts: string;

  before(async () => {
    issuer = await startFakeIssuer({ now: () => clock.now() });
    jwt = await issuer.jwt();
    jwtContacts = await issuer.jwt({ scope: 'read:contacts' });
  });
  after(() => issuer.close());

  const options = () => ({
    issuer: issuer.url,
    audience: AUDIENCE,
    clock,
    introspection: { ...INTROSPECTOR },
    protectedResource: {
      resource: RESOURCE,
      scopesSupported: ['read:calendars'],
      resourceName: 'Organizer',
      extra: { dpop_bound_access_tokens_required: false },
    },
  });

  it('places the well-known segment between host and path (§3.1)', () => {
    assert.equal(metadataUrlFor('https://api.example.com'), 'https://api.example.com/.well-known/oauth-protected-resource');
    assert.equal(metadataUrlFor('https://api.example.com/'), 'https://api.example.com/.well-known/oauth-protected-resource');
    assert.equal(metadataUrlFor('https://api.example.com/mcp'), 'https://api.example.com/.well-known/oauth-protected-resource/mcp');
  });

  it('refuses bad options at creation', () => {
    const base = { issuer: 'https://auth.test', audience: 'organizer' };
    assert.throws(() => createAuthenticator({ ...base, protectedResource: {} }), /resource \(defaulting to audience\) must be an absolute http\(s\) URL/);
    assert.throws(() => createAuthenticator({ ...base, protectedResource: { resource: 'https://a.test/#x' } }), /fragment/);
    assert.throws(
      () => createAuthenticator({ ...base, protectedResource: { resource: 'https://a.test', bearerMethodsSupported: ['cookie' as 'header'] } }),
      /bearerMethodsSupported/,
    );
    assert.throws(() => createAuthenticator({ ...base, protectedResource: { resource: 'https://a.test', colour: 1 } as never }), /colour is not an option/);
    const auth = createAuthenticator({ ...base, audience: 'https://api.test', protectedResource: {} });
    assert.equal(auth.resourceMetadata?.document.resource, 'https://api.test');
    assert.deepEqual(auth.resourceMetadata?.document.authorization_servers, ['https://auth.test']);
  });

  it('without the option, challenges are unchanged and the adapters refuse to serve', async () => {
    const auth = createAuthenticator({ issuer: issuer.url, audience: AUDIENCE, clock });
    assert.equal(auth.resourceMetadata, undefined);
    assert.throws(() => protectedResourceMetadata(auth), /protectedResource option/);
  });

  for (const adapter of ['express', 'fastify', 'hono', 'node-http'] as AdapterName[]) {
    describe(adapter, () => {
      let app: RunningApp;
      before(async () => {
        app = await serveWith[adapter](createAuthenticator(options()));
      });
      after(() => app.close());

      for (const path of ['/.well-known/oauth-protected-resource/v1', '/.well-known/oauth-protected-resource']) {
        it(`serves the document at ${path}`, async () => {
          const res = await fetch(`${app.url}${path}`);
          assert.equal(res.status, 200);
          assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
          assert.equal(res.headers.get('cache-control'), 'public, max-age=300');
          assert.equal(res.headers.get('access-control-allow-origin'), '*');
          assert.deepEqual(await res.json(), {
            dpop_bound_access_tokens_required: false,
            resource: RESOURCE,
            authorization_servers: [issuer.url],
            bearer_methods_supported: ['header'],
            scopes_supported: ['read:calendars'],
            resource_name: 'Organizer',
          });
        });
      }

      it('answers a CORS preflight and leaves other paths to the app', async () => {
        const preflight = await fetch(`${app.url}/.well-known/oauth-protected-resource/v1`, { method: 'OPTIONS' });
        assert.ok([200, 204].includes(preflight.status), String(preflight.status));
        assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
        assert.equal((await rawGet(app.url, '/.well-known/oauth-protected-resource/other')).status, 404);
        assert.equal((await rawGet(app.url, '/calendars', `Bearer ${jwt}`)).status, 200);
      });

      it('names the document in its challenges (§5.1)', async () => {
        const none = await rawGet(app.url, '/calendars');
        assert.equal(none.status, 401);
        assert.equal(none.wwwAuthenticate, `Bearer resource_metadata="${METADATA_URL}"`);
        const bad = await rawGet(app.url, '/calendars', 'Bearer tsr_at_nope');
        assert.match(
          bad.wwwAuthenticate ?? '',
          /^Bearer error="invalid_token", error_description="[^"]+", resource_metadata="https:\/\/api\.organizer\.test\/\.well-known\/oauth-protected-resource\/v1"$/,
        );
        const scope = await rawGet(app.url, '/calendars', `Bearer ${jwtContacts}`);
        assert.equal(scope.status, 403);
        assert.match(scope.wwwAuthenticate ?? '', /scope="read:calendars", resource_metadata="[^"]+"$/);
      });
    });
  }

  it('challenges can leave the document out (challenge: false)', async () => {
    const auth = createAuthenticator({ ...options(), protectedResource: { resource: RESOURCE, challenge: false } });
    const result = await auth.authenticate({ method: 'GET', url: '/calendars', headers: {} });
    assert.equal(!result.ok && result.error.wwwAuthenticate, 'Bearer');
  });

  it('a real client (the MCP SDK) finds the authorization server from the API URL and its 401', async () => {
    // The resource is this server's own URL, so its port must be known before the authenticator.
    let handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void = () => {};
    const server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const resource = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
    const auth = createAuthenticator({ issuer: issuer.url, audience: resource, clock, protectedResource: { scopesSupported: ['tools:call'] } });
    const metadata = protectedResourceMetadata(auth);
    const guard = requireAuth(auth, requireScopes('tools:call'));
    handler = async (req, res) => {
      if (metadata(req, res)) return;
      if (await guard(req, res)) res.end('ok');
    };
    try {
      const refused = await fetch(resource, { method: 'POST' });
      assert.equal(refused.status, 401);
      const { resourceMetadataUrl } = extractWWWAuthenticateParams(refused);
      assert.equal(resourceMetadataUrl?.href, `${new URL(resource).origin}/.well-known/oauth-protected-resource/mcp`);
      const viaChallenge = await discoverOAuthProtectedResourceMetadata(resource, { resourceMetadataUrl: resourceMetadataUrl! });
      const viaUrl = await discoverOAuthProtectedResourceMetadata(resource);
      for (const found of [viaChallenge, viaUrl]) {
        assert.equal(found.resource, resource);
        assert.deepEqual(found.authorization_servers, [issuer.url]);
        assert.deepEqual(found.scopes_supported, ['tools:call']);
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
