/**
 * oidc-provider (panva/node-oidc-provider 9.x) configured like the Tessera bench
 * config: one client_secret_basic client with client_credentials, a JWT (ES256)
 * resource server and an opaque one, introspection enabled. Listens on 127.0.0.1,
 * port 0, and prints `listening <url>` once it accepts requests.
 *
 *   node servers/oidc-provider.mjs '{"adapter":"memory"|"sqlite","dataDir":"/tmp/..."}'
 *
 * adapter "memory" is oidc-provider's built-in development adapter (an LRU of 1000
 * entries in the process); "sqlite" is ./oidc-sqlite-adapter.mjs, better-sqlite3 with
 * the same pragmas as Tessera's embedded store, so stored tokens cost the same kind
 * of write on both sides.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import Provider, { errors } from 'oidc-provider';
import { CLIENT_ID, CLIENT_SECRET, JWT_API, REF_API, SCOPES, TOKEN_TTL } from '../lib/fixtures.mjs';

const options = JSON.parse(process.argv[2] ?? '{}');

const es256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
const rs256 = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const RESOURCE_SERVERS = {
  [JWT_API]: { accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } },
  [REF_API]: { accessTokenFormat: 'opaque' },
};

let adapter;
if (options.adapter === 'sqlite') {
  const { sqliteAdapter } = await import('./oidc-sqlite-adapter.mjs');
  adapter = sqliteAdapter(join(options.dataDir, 'oidc-provider.sqlite'));
}

// Bind first: the issuer is the bound address, as with Tessera's default issuer.
const http = createServer({ headersTimeout: 10_000, requestTimeout: 15_000, keepAliveTimeout: 5_000 });
await new Promise((resolve, reject) => {
  http.once('error', reject);
  http.listen(0, '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${http.address().port}`;

const provider = new Provider(issuer, {
  ...(adapter ? { adapter } : {}),
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: SCOPES.join(' '),
    },
  ],
  jwks: {
    keys: [
      { ...es256, kid: 'es256-bench', alg: 'ES256', use: 'sig' },
      { ...rs256, kid: 'rs256-bench', alg: 'RS256', use: 'sig' },
    ],
  },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  scopes: ['openid', 'offline_access', ...SCOPES],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => JWT_API,
      useGrantedResource: () => true,
      getResourceServerInfo(_ctx, resourceIndicator) {
        const server = RESOURCE_SERVERS[resourceIndicator];
        if (!server) throw new errors.InvalidTarget();
        return { scope: SCOPES.join(' '), audience: resourceIndicator, accessTokenTTL: TOKEN_TTL, ...server };
      },
    },
  },
});

http.on('request', provider.callback());
process.stdout.write(`listening ${issuer}\n`);

const stop = () => http.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
