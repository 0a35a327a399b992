/**
 * oidc-provider (panva/node-oidc-provider 9.x) configured like the Tessera bench
 * config: one client_secret_basic client with client_credentials, a JWT (ES256)
 * resource server and an opaque one, introspection enabled. Listens on 127.0.0.1,
 * port 0, and prints `listening <url>` once it accepts requests.
 *
 *   node servers/oidc-provider.mjs '{"adapter":"memory"|"sqlite","dataDir":"/tmp/..."}'
 *
 * The authorization-code flow (scenario "flow") goes through a small interaction app
 * of our own (devInteractions is off), mounted before the provider on the same
 * server: GET /interaction/:uid shows a sign-in or a consent form, POST
 * /interaction/:uid/login checks the password against the same scrypt hash Tessera
 * stores (same parameters), POST /interaction/:uid/consent grants the requested scopes.
 *
 * adapter "memory" is oidc-provider's built-in development adapter (an LRU of 1000
 * entries in the process); "sqlite" is ./oidc-sqlite-adapter.mjs, better-sqlite3 with
 * the same pragmas as Tessera's embedded store, so stored tokens cost the same kind
 * of write on both sides.
 */
import { generateKeyPairSync, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import Provider, { errors } from 'oidc-provider';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  JWT_API,
  PASSWORD_HASH,
  REDIRECT_URI,
  REF_API,
  SCOPES,
  TOKEN_TTL,
  USERNAME,
  WEB_CLIENT_ID,
  WEB_CLIENT_SECRET,
} from '../lib/fixtures.mjs';

const options = JSON.parse(process.argv[2] ?? '{}');
const ACCOUNT_ID = '5b0f7c1e-0000-4000-8000-00000000b001';

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
    {
      client_id: WEB_CLIENT_ID,
      client_secret: WEB_CLIENT_SECRET,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [REDIRECT_URI],
      scope: `openid ${SCOPES.join(' ')}`,
    },
  ],
  findAccount: async (_ctx, id) => (id === ACCOUNT_ID ? { accountId: id, claims: async () => ({ sub: id }) } : undefined),
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  pkce: { required: () => true },
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

// ---- the interaction app: sign-in and consent, plain node:http, no template engine

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html><head><meta charset="utf-8"><title>Sign in</title></head><body>${body}</body></html>`);
};
const readForm = (req) =>
  new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });

/** Tessera's stored format, scrypt$N=..,r=..,p=..$salt$hash, checked the way Tessera checks it. */
function verifyPassword(password, stored) {
  const [, params, salt, hash] = stored.split('$');
  const { N, r, p } = Object.fromEntries(params.split(',').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)]));
  const expected = Buffer.from(hash, 'base64url');
  return new Promise((resolve, reject) =>
    scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N, r, p, maxmem: 256 * N * r }, (error, key) =>
      error ? reject(error) : resolve(timingSafeEqual(key, expected)),
    ),
  );
}

async function interaction(req, res, uid, step) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return page(res, 400, '<p>Unknown interaction</p>');
  const { prompt, params } = details;
  if (req.method === 'GET') {
    if (prompt.name === 'login') {
      return page(res, 200, `<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<input type="text" name="username"><input type="password" name="password"><button type="submit">Sign in</button></form>`);
    }
    return page(res, 200, `<p>${escapeHtml(params.client_id)} asks for ${escapeHtml(params.scope)}</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/consent">
<button type="submit" name="decision" value="deny">Deny</button><button type="submit" name="decision" value="allow">Allow</button></form>`);
  }
  const form = await readForm(req);
  if (step === 'login') {
    if (prompt.name !== 'login') return page(res, 400, '<p>Not signing in</p>');
    const ok = form.get('username') === USERNAME && (await verifyPassword(form.get('password') ?? '', PASSWORD_HASH));
    if (!ok) return page(res, 401, '<p>Wrong username or password</p>');
    return provider.interactionFinished(req, res, { login: { accountId: ACCOUNT_ID } }, { mergeWithLastSubmission: false });
  }
  if (step === 'consent') {
    if (prompt.name !== 'consent' || form.get('decision') !== 'allow') return page(res, 400, '<p>No consent</p>');
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
    const scopes = String(params.scope ?? '').split(' ').filter(Boolean);
    // `scopes` above lists the API scopes too, so oidc-provider counts them among the OP scopes.
    grant.addOIDCScope(scopes.join(' '));
    grant.addResourceScope(String(params.resource ?? JWT_API), scopes.filter((s) => SCOPES.includes(s)).join(' '));
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  return page(res, 404, '<p>Not found</p>');
}

const callback = provider.callback();
const INTERACTION = /^\/interaction\/([\w-]+)(?:\/(login|consent))?$/;
http.on('request', (req, res) => {
  const match = INTERACTION.exec(req.url.split('?')[0]);
  if (!match) return callback(req, res);
  interaction(req, res, match[1], match[2]).catch((error) => {
    if (!res.headersSent) page(res, 500, `<p>${escapeHtml(error.message)}</p>`);
    else res.end();
  });
});
process.stdout.write(`listening ${issuer}\n`);

const stop = () => http.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
