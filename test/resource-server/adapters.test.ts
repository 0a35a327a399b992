/**
 * Every credential kind, accepted and refused, through each adapter: Express, Fastify,
 * Hono and plain node:http serve the same small API (support/apps.ts) over real HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { createAuthenticator, type Authenticator } from '../../packages/resource-server/src/index.js';
import { rawGet, serveWith, type AdapterName, type RunningApp } from './support/apps.js';
import { AUDIENCE, INTROSPECTOR, startFakeIssuer, type FakeIssuer } from './support/fake-issuer.js';

interface Case {
  name: string;
  path: string;
  header: () => string | string[] | undefined;
  status: number;
  kind?: string;
  challenge?: RegExp;
}

describe('resource-server adapters', () => {
  let issuer: FakeIssuer;
  const clock = new FrozenClock(1_800_000_000);
  const t: Record<string, string> = {};

  before(async () => {
    issuer = await startFakeIssuer({ now: () => clock.now() });
    t.jwt = await issuer.jwt();
    t.jwtExpired = await issuer.jwt({ iat: clock.now() - 700, exp: clock.now() - 100 });
    t.jwtContacts = await issuer.jwt({ scope: 'read:contacts' });
    t.jwtOtherAudience = await issuer.jwt({ aud: 'https://api.other.test' });
    t.jwtNone = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${t.jwt.split('.')[1]}.`;
    const answer = (token: string, body: Record<string, unknown>) => {
      issuer.answers.set(token, body);
      return token;
    };
    t.reference = answer(issuer.opaque('access_token'), {
      token_kind: 'access_token',
      sub: 'planner',
      client_id: 'planner',
      aud: AUDIENCE,
      scope: 'read:calendars',
      exp: clock.now() + 300,
    });
    t.referenceInactive = issuer.opaque('access_token');
    t.pat = answer(issuer.opaque('personal_access_token'), {
      token_kind: 'personal_access_token',
      sub: 'user-1',
      username: 'alice',
      scope: 'read:calendars',
      permissions: { [AUDIENCE]: ['read:calendars', 'admin:all'] },
    });
    t.patBadChecksum = `${t.pat.slice(0, -6)}${t.pat.endsWith('000000') ? '000001' : '000000'}`;
    t.sat = answer(issuer.opaque('service_access_token'), {
      token_kind: 'service_access_token',
      sub: 'sa-1',
      service_account: 'sync',
      scope: 'read:calendars',
    });
    t.satRevoked = issuer.opaque('service_access_token');
    t.user = answer(issuer.hexKey(), { token_kind: 'user_token', sub: 'user-1', username: 'alice', permissions: { [AUDIENCE]: ['read:calendars'] } });
    t.userUnknown = issuer.hexKey();
    t.action = answer(issuer.hexKey(), {
      token_kind: 'action_token',
      sub: 'user-1',
      permissions: { [AUDIENCE]: ['read:calendars'] },
      allowed_endpoints: ['GET /calendars/*/events', 'GET /v1/calendars/*/events'],
    });
  });
  after(() => issuer.close());

  const INVALID = /^Bearer error="invalid_token", error_description="[^"]+"$/;
  const cases: Case[] = [
    { name: 'a JWT', path: '/calendars', header: () => `Bearer ${t.jwt}`, status: 200, kind: 'access_token' },
    { name: 'an expired JWT', path: '/calendars', header: () => `Bearer ${t.jwtExpired}`, status: 401, challenge: INVALID },
    { name: 'a JWT for another API', path: '/calendars', header: () => `Bearer ${t.jwtOtherAudience}`, status: 401, challenge: INVALID },
    {
      name: 'a JWT without the scope',
      path: '/calendars',
      header: () => `Bearer ${t.jwtContacts}`,
      status: 403,
      challenge: /^Bearer error="insufficient_scope", error_description="[^"]+", scope="read:calendars"$/,
    },
    { name: 'a JWT on a route that needs no scope', path: '/calendars/1/events', header: () => `Bearer ${t.jwtContacts}`, status: 200, kind: 'access_token' },
    { name: 'a reference token', path: '/calendars', header: () => `Bearer ${t.reference}`, status: 200, kind: 'access_token' },
    { name: 'an inactive reference token', path: '/calendars', header: () => `Bearer ${t.referenceInactive}`, status: 401, challenge: INVALID },
    { name: 'a PAT with the permission', path: '/admin', header: () => `Bearer ${t.pat}`, status: 200, kind: 'personal_access_token' },
    { name: 'a PAT with a bad checksum', path: '/calendars', header: () => `Bearer ${t.patBadChecksum}`, status: 401, challenge: INVALID },
    { name: 'a SAT', path: '/calendars', header: () => `Bearer ${t.sat}`, status: 200, kind: 'service_access_token' },
    { name: 'a SAT without the permission', path: '/admin', header: () => `Bearer ${t.sat}`, status: 403, challenge: /scope="admin:all"$/ },
    { name: 'a revoked SAT', path: '/calendars', header: () => `Bearer ${t.satRevoked}`, status: 401, challenge: INVALID },
    { name: 'a user token', path: '/calendars', header: () => `Token ${t.user}`, status: 200, kind: 'user_token' },
    { name: 'an unknown user token', path: '/calendars', header: () => `Token ${t.userUnknown}`, status: 401, challenge: /^Token error="invalid_token"/ },
    { name: 'a malformed user token', path: '/calendars', header: () => 'Token ABCDEF', status: 401, challenge: /^Token error="invalid_token"/ },
    { name: 'an action token on its endpoint', path: '/calendars/42/events?x=1', header: () => `ActionToken ${t.action}`, status: 200, kind: 'action_token' },
    {
      name: 'an action token elsewhere',
      path: '/calendars',
      header: () => `ActionToken ${t.action}`,
      status: 403,
      challenge: /^ActionToken error="insufficient_scope"/,
    },
    {
      name: 'an action token with an encoded slash',
      path: '/calendars/42%2F43/events',
      header: () => `ActionToken ${t.action}`,
      status: 403,
      challenge: /^ActionToken error="insufficient_scope"/,
    },
    {
      name: 'a user token without the permission',
      path: '/admin',
      header: () => `Token ${t.user}`,
      status: 403,
      challenge: /^Token error="insufficient_scope", error_description="[^"]+", scope="admin:all"$/,
    },
    {
      name: 'two Authorization headers',
      path: '/calendars',
      header: () => [`Bearer ${t.jwt}`, `Bearer ${t.jwtContacts}`],
      status: 400,
      challenge: /^Bearer error="invalid_request"/,
    },
    {
      name: 'a Token and a Bearer header',
      path: '/calendars',
      header: () => [`Token ${t.userUnknown}`, `Bearer ${t.jwt}`],
      status: 400,
      challenge: /error="invalid_request"/,
    },
    { name: 'no credentials', path: '/calendars', header: () => undefined, status: 401, challenge: /^Bearer$/ },
    { name: 'another scheme', path: '/calendars', header: () => 'Basic YTpi', status: 401, challenge: /^Bearer$/ },
    { name: 'a malformed header', path: '/calendars', header: () => 'Bearer a b', status: 400, challenge: /^Bearer error="invalid_request"/ },
    { name: 'a huge header', path: '/calendars', header: () => `Bearer ${'a'.repeat(10_000)}`, status: 400, challenge: /^Bearer error="invalid_request"/ },
    { name: 'alg none', path: '/calendars', header: () => `Bearer ${t.jwtNone}`, status: 401, challenge: INVALID },
  ];

  for (const adapter of ['express', 'fastify', 'hono', 'node-http'] as AdapterName[]) {
    describe(adapter, () => {
      let app: RunningApp;
      let authentications = 0;
      before(async () => {
        const auth = createAuthenticator({ issuer: issuer.url, audience: AUDIENCE, clock, introspection: { ...INTROSPECTOR } });
        const counting: Authenticator = {
          resourceMetadata: undefined,
          authenticate: (request) => {
            authentications++;
            return auth.authenticate(request);
          },
          authorize: (principal, guards) => auth.authorize(principal, guards),
          stats: auth.stats,
          recordCall: (call) => auth.recordCall(call),
          usage: auth.usage,
          flush: () => auth.flush(),
          close: () => auth.close(),
        };
        app = await serveWith[adapter](counting);
      });
      after(() => app.close());

      for (const c of cases) {
        it(`${c.status === 200 ? 'accepts' : 'refuses'} ${c.name}`, async () => {
          const res = await rawGet(app.url, c.path, c.header());
          assert.equal(res.status, c.status, JSON.stringify(res.body));
          if (c.kind) assert.equal(res.body.kind, c.kind);
          if (c.challenge) {
            assert.match(res.wwwAuthenticate ?? '', c.challenge);
            assert.equal(typeof res.body.error_description, 'string');
          }
        });
      }

      it('authenticates once when an outer middleware already did', async () => {
        const before = authentications;
        const ok = await rawGet(app.url, '/layered/x', `Bearer ${t.jwt}`);
        assert.equal(ok.status, 200);
        assert.equal(authentications - before, 1);
        const refused = await rawGet(app.url, '/layered/x', `Bearer ${t.jwtContacts}`);
        assert.equal(refused.status, 403);
      });
    });
  }

  it('express: checks an action token against the full path under a mounted router', async () => {
    const auth = createAuthenticator({ issuer: issuer.url, audience: AUDIENCE, clock, introspection: { ...INTROSPECTOR } });
    const app = await serveWith.express(auth);
    try {
      assert.equal((await rawGet(app.url, '/v1/calendars/7/events', `ActionToken ${t.action}`)).status, 200);
    } finally {
      await app.close();
    }
  });
});
