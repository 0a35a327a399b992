/**
 * Scale-out without Redis: two instances kept coherent by PostgreSQL LISTEN/NOTIFY
 * alone, including after the listening connections were cut and came back. The cache
 * TTL is a minute, so what is seen sooner came through the feed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { dropSchema } from '../../src/stores/postgres/postgres-store.js';
import { eventually, prepareDeployment, startInstance, stopInstance, waitUntilReady, type Instance } from '../support/cluster.js';
import { makeFixture, SECRETS } from '../support/fixture.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { basic } from '../support/test-server.js';

const DB = process.env.TESSERA_TEST_DATABASE_URL;
const skip = !DB
  ? 'needs TESSERA_TEST_DATABASE_URL'
  : process.env.TESSERA_TEST_STORE === 'postgres'
    ? 'runs in the default pass (it is on PostgreSQL already)'
    : false;
const ISSUER = 'http://tessera.test';
const OPS_SECRET = 'ops-client-secret-0123456789';

describe('two instances kept coherent by PostgreSQL LISTEN/NOTIFY (no Redis)', { skip }, () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  let proxy: TcpProxy;
  let a: Instance;
  let b: Instance;

  const token = (instance: Instance, clientId: string, secret: string) =>
    fetch(`${instance.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...basic(clientId, secret) },
      body: 'grant_type=client_credentials',
    });
  const ops = async () => ((await (await token(a, 'ops', OPS_SECRET)).json()) as { access_token: string }).access_token;
  const deleteClient = async (clientId: string) => {
    const response = await fetch(`${a.url}/api/v1/clients/${clientId}`, { method: 'DELETE', headers: { authorization: `Bearer ${await ops()}` } });
    assert.equal(response.status, 204);
  };

  before(async () => {
    const target = new URL(DB!);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const config = (await makeFixture()).config as { clients: unknown[] };
    config.clients.push(
      { clientId: 'ops', secrets: [OPS_SECRET], api: `${ISSUER}/api/v1`, scopes: ['write:clients', 'write:keys'] },
      { clientId: 'doomed-1', secrets: [SECRETS.basic], api: 'https://api.organizer.test', scopes: ['read:calendars'] },
      { clientId: 'doomed-2', secrets: [SECRETS.basic], api: 'https://api.organizer.test', scopes: ['read:calendars'] },
    );
    const masterKey = randomBytes(32);
    await prepareDeployment({ databaseUrl: DB!, schema, issuer: ISSUER, masterKey, config });
    const env = {
      TESSERA_DATABASE_URL: proxy.through(DB!),
      TESSERA_DATABASE_SCHEMA: schema,
      TESSERA_MASTER_KEY: masterKey.toString('hex'),
      TESSERA_ISSUER: ISSUER,
      TESSERA_CACHE_TTL: '60',
      TESSERA_DATABASE_CONNECT_TIMEOUT: '1',
      TESSERA_REDIS_URL: '',
      REDIS_URL: '',
    };
    [a, b] = (await Promise.all(['A', 'B'].map((name) => startInstance(name, env)))) as [Instance, Instance];
  });

  after(async () => {
    await Promise.all([a, b].filter(Boolean).map((i) => stopInstance(i)));
    await proxy?.close();
    await dropSchema(DB!, schema);
  });

  it('a client deleted at A is refused at B, and a key rotated at A is published by B', async () => {
    assert.equal((await token(b, 'doomed-1', SECRETS.basic)).status, 200); // now cached at B
    await deleteClient('doomed-1');
    const ms = await eventually(async () => (await token(b, 'doomed-1', SECRETS.basic)).status === 401, 'doomed-1 refused at B');
    console.log(`# client deletion seen at B after ${ms} ms`);

    const rotate = await fetch(`${a.url}/api/v1/keys/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await ops()}`, 'content-type': 'application/json' },
      body: '{"alg":"ES256"}',
    });
    const { rotated } = (await rotate.json()) as { rotated: { next: string }[] };
    await eventually(
      async () => ((await (await fetch(`${b.url}/jwks`)).json()) as { keys: { kid: string }[] }).keys.some((k) => k.kid === rotated[0]!.next),
      "the new next key in B's JWKS",
    );
  });

  it('listens again after the database connections were cut', async () => {
    assert.equal((await token(b, 'doomed-2', SECRETS.basic)).status, 200);
    proxy.cut();
    await new Promise((r) => setTimeout(r, 1000));
    proxy.restore();
    await Promise.all([waitUntilReady(a), waitUntilReady(b)]);
    await deleteClient('doomed-2');
    await eventually(async () => (await token(b, 'doomed-2', SECRETS.basic)).status === 401, 'doomed-2 refused at B after the reconnection');
  });
});
