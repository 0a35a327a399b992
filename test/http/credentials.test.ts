/**
 * The seed credentials end to end: create, use (introspection), revoke; and each
 * refusal the issue lists. Personal and service access tokens, user tokens, action
 * tokens, token exchange, and "revoke everything".
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrozenClock } from '../../src/core/clock.js';
import { validateConfig } from '../../src/core/config/load.js';
import { ValidationError } from '../../src/core/errors.js';
import { TestBrowser } from '../support/browser.js';
import { CALLBACK, makeFixture, ORGANIZER, SECRETS } from '../support/fixture.js';
import { authorize, authorizeUrl } from '../support/sign-in.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('seed credentials', () => {
  let server: TestServer;
  let aliceId: string;
  const clock = new FrozenClock(Math.floor(Date.now() / 1000));
  before(async () => {
    server = await startTestServer({ config: (await makeFixture()).config, clock });
    aliceId = (await server.engine.store.getUserByUsername('alice'))!.id;
  });
  after(() => server.close());

  const introspect = (token: string) => server.post('/introspect', { token }, basic('introspector', SECRETS.introspector));
  const setAlice = async (fields: Record<string, unknown>) => {
    const apis = await server.engine.store.listApis();
    const roles = (await server.engine.store.listRoles()).map((r) => r.name);
    await server.engine.apply(
      validateConfig({ users: [{ username: 'alice', password: 'alice-password-123', roles: ['calendar-reader'], ...fields }] }, 'alice', { apis, roles }),
    );
  };

  describe('personal access tokens', () => {
    it('are created within the owner permissions, shown once, and introspect as the user', async () => {
      const { token, summary } = await server.engine.credentials.createPersonalAccessToken(aliceId, {
        name: 'ci',
        api: ORGANIZER,
        scopes: ['read:calendars'],
        expiresIn: 3600,
      });
      assert.match(token, /^tsr_pat_[0-9A-Za-z]{49}$/);
      assert.equal(summary.kind, 'personal_access_token');
      assert.equal(JSON.stringify(summary).includes(token), false);
      const res = await introspect(token);
      assert.equal(res.body.active, true);
      assert.equal(res.body.token_kind, 'personal_access_token');
      assert.equal(res.body.sub, aliceId);
      assert.equal(res.body.username, 'alice');
      assert.equal(res.body.aud, ORGANIZER);
      assert.equal(res.body.scope, 'read:calendars');
      assert.equal(res.body.exp, clock.now() + 3600);
      assert.equal(res.body.client_id, undefined);
    });

    it('refuse scopes beyond the owner roles, unknown APIs and lifetimes over the maximum', async () => {
      const create = (input: Partial<{ api: string; scopes: string[]; expiresIn: number; name: string }>) =>
        server.engine.credentials.createPersonalAccessToken(aliceId, { name: 'x', api: ORGANIZER, scopes: ['read:calendars'], ...input });
      await assert.rejects(create({ scopes: ['write:calendars'] }), (e: unknown) => e instanceof ValidationError && e.field === 'scopes');
      await assert.rejects(create({ api: 'https://nope.test' }), (e: unknown) => e instanceof ValidationError && e.field === 'api');
      await assert.rejects(create({ expiresIn: 400 * 86400 }), (e: unknown) => e instanceof ValidationError && e.field === 'expiresIn');
      await assert.rejects(create({ name: '' }), (e: unknown) => e instanceof ValidationError && e.field === 'name');
    });

    it('expire, can be revoked, and are listed without their secret', async () => {
      const { token, summary } = await server.engine.credentials.createPersonalAccessToken(aliceId, {
        name: 'short',
        api: ORGANIZER,
        scopes: ['read:calendars'],
        expiresIn: 60,
      });
      const other = await server.engine.credentials.createPersonalAccessToken(aliceId, { name: 'revoked', api: ORGANIZER, scopes: ['read:calendars'] });
      assert.equal(await server.engine.credentials.revoke(other.summary.id), true);
      assert.deepEqual((await introspect(other.token)).body, { active: false });
      const listed = await server.engine.credentials.list(aliceId);
      assert.ok(listed.some((t) => t.id === summary.id && t.name === 'short'));
      assert.ok(listed.some((t) => t.id === other.summary.id && t.revokedAt !== undefined));
      assert.ok(!JSON.stringify(listed).includes('tsr_pat_'), 'no secret in the list');
      clock.advance(61);
      assert.deepEqual((await introspect(token)).body, { active: false });
    });

    it('reject a mistyped token (bad checksum) and the wrong prefix', async () => {
      const { token } = await server.engine.credentials.createPersonalAccessToken(aliceId, { name: 'typo', api: ORGANIZER, scopes: ['read:calendars'] });
      const typo = `${token.slice(0, 20)}${token[20] === 'a' ? 'b' : 'a'}${token.slice(21)}`;
      assert.deepEqual((await introspect(typo)).body, { active: false });
      assert.deepEqual((await introspect(token.replace('tsr_pat_', 'tsr_sat_'))).body, { active: false });
    });

    it('record their last use in batches', async () => {
      const { token, summary } = await server.engine.credentials.createPersonalAccessToken(aliceId, {
        name: 'used',
        api: ORGANIZER,
        scopes: ['read:calendars'],
      });
      await introspect(token);
      assert.equal((await server.engine.credentials.get(summary.id))?.lastUsedAt, undefined, 'not written per request');
      await server.engine.usage.flush();
      assert.equal((await server.engine.credentials.get(summary.id))?.lastUsedAt, clock.now());
    });
  });

  describe('service accounts and service access tokens', () => {
    it('act as the service account and stop when it is deleted', async () => {
      const account = (await server.engine.store.getServiceAccountByName('nightly-sync'))!;
      const { token } = await server.engine.credentials.createServiceAccessToken(account.id, { name: 'sync', api: ORGANIZER, scopes: ['write:calendars'] });
      assert.match(token, /^tsr_sat_/);
      const res = await introspect(token);
      assert.equal(res.body.token_kind, 'service_access_token');
      assert.equal(res.body.service_account, 'nightly-sync');
      assert.equal(res.body.sub, account.id);
      await server.engine.credentials.deleteServiceAccount(account.id);
      assert.deepEqual((await introspect(token)).body, { active: false });
    });
  });

  describe('user tokens and action tokens', () => {
    it('give a user token for all the user access, one per user', async () => {
      const first = await server.engine.credentials.regenerateUserToken(aliceId);
      assert.match(first.token, /^[0-9a-f]{40}$/);
      const res = await introspect(first.token);
      assert.equal(res.body.token_kind, 'user_token');
      assert.equal(res.body.username, 'alice');
      assert.deepEqual(res.body.permissions, { [ORGANIZER]: ['read:calendars'] });
      assert.equal(res.body.exp, undefined, 'lives until revoked');
      const second = await server.engine.credentials.regenerateUserToken(aliceId);
      assert.deepEqual((await introspect(first.token)).body, { active: false }, 'regenerating revokes the old one');
      assert.equal((await introspect(second.token)).body.active, true);
    });

    it('limit an action token to its endpoints, and refuse bad patterns', async () => {
      const { token } = await server.engine.credentials.createActionToken(aliceId, { name: 'events feed', endpoints: ['GET /calendars/*/events'] });
      const res = await introspect(token);
      assert.equal(res.body.token_kind, 'action_token');
      assert.deepEqual(res.body.allowed_endpoints, ['GET /calendars/*/events']);
      await assert.rejects(
        server.engine.credentials.createActionToken(aliceId, { name: 'bad', endpoints: ['FETCH calendars'] }),
        (e: unknown) => e instanceof ValidationError && e.field === 'endpoints[0]',
      );
      await assert.rejects(server.engine.credentials.createActionToken(aliceId, { name: 'none', endpoints: [] }), ValidationError);
    });

    it('stop all of a user credentials while the user is inactive', async () => {
      const pat = await server.engine.credentials.createPersonalAccessToken(aliceId, { name: 'p', api: ORGANIZER, scopes: ['read:calendars'] });
      const key = await server.engine.credentials.regenerateUserToken(aliceId);
      const action = await server.engine.credentials.createActionToken(aliceId, { name: 'a', endpoints: ['GET /calendars'] });
      await setAlice({ active: false });
      for (const token of [pat.token, key.token, action.token]) assert.deepEqual((await introspect(token)).body, { active: false });
      await setAlice({ active: true });
      assert.equal((await introspect(pat.token)).body.active, true);
    });
  });

  describe('token exchange (RFC 8693)', () => {
    const exchange = (form: Record<string, string>) =>
      server.post('/token', { grant_type: EXCHANGE, subject_token_type: ACCESS, ...form }, basic('exchanger', 'exchanger-secret-0123456789'));

    it('trades a PAT for a short-lived JWT for its API', async () => {
      const { token } = await server.engine.credentials.createPersonalAccessToken(aliceId, {
        name: 'x',
        api: ORGANIZER,
        scopes: ['read:calendars'],
        expiresIn: 120,
      });
      const res = await exchange({ subject_token: token, resource: ORGANIZER });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.issued_token_type, ACCESS);
      assert.equal(res.body.expires_in, 120, 'never outlives the PAT');
      const claims = claimsOf(res.body.access_token as string);
      assert.equal(claims.sub, aliceId);
      assert.equal(claims.aud, ORGANIZER);
      assert.equal(claims.client_id, 'exchanger');
      assert.equal(claims.scope, 'read:calendars');
    });

    it('refuses other resources, wider scopes, and tokens that are not PATs or SATs', async () => {
      const { token } = await server.engine.credentials.createPersonalAccessToken(aliceId, { name: 'x', api: ORGANIZER, scopes: ['read:calendars'] });
      assert.equal((await exchange({ subject_token: token, resource: 'https://api.mappers.test' })).body.error, 'invalid_target');
      assert.equal((await exchange({ subject_token: token, scope: 'write:calendars' })).body.error, 'invalid_scope');
      assert.equal((await exchange({ subject_token: 'tsr_pat_nonsense' })).body.error, 'invalid_grant');
      const key = await server.engine.credentials.regenerateUserToken(aliceId);
      assert.equal((await exchange({ subject_token: key.token })).body.error, 'invalid_grant');
      assert.equal((await exchange({ subject_token: token, subject_token_type: 'urn:x' })).body.error, 'invalid_request');
    });
  });

  describe('revoke everything', () => {
    it('revokes every token, consent and session of the user in one call', async () => {
      const browser = new TestBrowser();
      const { code } = await authorize(browser, server.url, {
        client_id: 'calendar-app',
        response_type: 'code',
        redirect_uri: CALLBACK,
        scope: 'openid read:calendars',
      });
      const tokens = await server.post(
        '/token',
        { grant_type: 'authorization_code', code: code!, redirect_uri: CALLBACK },
        basic('calendar-app', SECRETS.calendar),
      );
      const pat = await server.engine.credentials.createPersonalAccessToken(aliceId, { name: 'p', api: ORGANIZER, scopes: ['read:calendars'] });
      clock.advance(1);
      const result = await server.engine.revokeEverything(aliceId);
      assert.ok(result.tokens >= 2);
      assert.equal(result.consents, 1);
      assert.deepEqual((await introspect(pat.token)).body, { active: false });
      const refresh = await server.post(
        '/token',
        { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token as string },
        basic('calendar-app', SECRETS.calendar),
      );
      assert.equal(refresh.body.error, 'invalid_grant');
      const page = await browser.follow(
        await browser.get(authorizeUrl(server.url, { client_id: 'calendar-app', response_type: 'code', redirect_uri: CALLBACK, scope: 'openid' })),
        server.url,
      );
      assert.match(page.html, /name="password"/, 'the session has ended');
    });
  });
});
