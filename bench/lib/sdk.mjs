/**
 * The resource-server SDK in process (scenario "sdk"): how many credentials one core
 * verifies per second through `authenticate()`, with no network at all. The issuer is
 * stubbed by an injected `fetch` that serves a JWK set and one introspection answer.
 *
 *   node lib/sdk.mjs '<json spec>'   spec: { root, seconds }
 *
 * Measured one after the other, each in a timed loop of sequential awaits:
 *   floor  node:crypto ES256 verify of distinct pre-signed JWTs (crypto.verify, ieee-p1363)
 *   cold   authenticate() of a new ES256 JWT each time (pre-signed; signature, claims, cache miss)
 *   warm   authenticate() of the same JWT over and over (served from the verified-token cache)
 *   pat    authenticate() of the same PAT, its introspection answer cached (cacheSeconds 3600)
 * Prints one JSON line: { floor, cold, warm, pat, processCpuMicros } (each { perSecond, usEach, count, seconds }).
 */
import { createHash, generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const spec = JSON.parse(process.argv[2]);
const seconds = spec.seconds;
const { createAuthenticator } = await import(pathToFileURL(join(spec.root, 'dist', 'resource-server', 'index.js')).href);
const { mintTokenString, TOKEN_PREFIXES } = await import(pathToFileURL(join(spec.root, 'dist', 'core', 'crypto', 'token-string.js')).href);

const ISSUER = 'https://issuer.bench.example';
const AUDIENCE = 'https://api.bench.example/jwt';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'bench-es256', alg: 'ES256', use: 'sig' };
const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const header = b64({ alg: 'ES256', typ: 'at+jwt', kid: jwk.kid });
const now = Math.floor(Date.now() / 1000);

function mintJwt() {
  const input = `${header}.${b64({ iss: ISSUER, sub: 'bench-client', aud: AUDIENCE, exp: now + 3600, iat: now, jti: randomUUID(), client_id: 'bench-client', scope: 'read:things' })}`;
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

const pat = mintTokenString(TOKEN_PREFIXES.personal_access_token);
const answer = {
  active: true,
  token_kind: 'personal_access_token',
  format: 'reference',
  sub: '5b0f7c1e-0000-4000-8000-000000000001',
  username: 'bench-user',
  iss: ISSUER,
  aud: AUDIENCE,
  client_id: '',
  scope: 'read:things',
  iat: now,
  exp: now + 86400,
  jti: randomUUID(),
};
let introspections = 0;
const fakeFetch = async (url) => {
  if (String(url).endsWith('/jwks')) return new Response(JSON.stringify({ keys: [jwk] }), { headers: { 'content-type': 'application/json' } });
  introspections++;
  return new Response(JSON.stringify(answer), { headers: { 'content-type': 'application/json' } });
};

const auth = createAuthenticator({
  issuer: ISSUER,
  audience: AUDIENCE,
  jwksUri: `${ISSUER}/jwks`,
  introspectionEndpoint: `${ISSUER}/introspect`,
  introspection: { clientId: 'bench-rs', clientSecret: 'bench-rs-secret-0123456789abcdef', cacheSeconds: 3600 },
  fetch: fakeFetch,
});
const request = (token) => ({ method: 'GET', url: '/things', headers: { authorization: `Bearer ${token}` } });

// Enough distinct tokens for the cold loops (signing them is not measured).
const distinctCount = Math.max(20_000, Math.round(seconds * 40_000));
const jwts = Array.from({ length: distinctCount }, mintJwt);
const parts = jwts.map((t) => {
  const dot = t.lastIndexOf('.');
  return { input: Buffer.from(t.slice(0, dot)), signature: Buffer.from(t.slice(dot + 1), 'base64url') };
});

async function timed(label, step, limit = Infinity) {
  // warm-up: JIT and the JWKS fetch, not measured
  for (let i = 0; i < 200; i++) await step(i);
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(seconds * 1e9));
  let count = 200;
  let t = started;
  while (t < deadline && count + 100 <= limit) {
    for (let i = 0; i < 100; i++) await step(count++);
    t = process.hrtime.bigint();
  }
  const elapsed = Number(t - started) / 1e9;
  const n = count - 200;
  return { label, perSecond: n / elapsed, usEach: (elapsed * 1e6) / n, count: n, seconds: elapsed };
}

let failures = 0;
const expectOk = (result) => {
  if (!result.ok) failures++;
};

const floor = await timed(
  'floor',
  (i) => {
    const p = parts[i % parts.length];
    if (!verify('sha256', p.input, { key: publicKey, dsaEncoding: 'ieee-p1363' }, p.signature)) failures++;
  },
  parts.length,
);
// cold: tokens 0..199 are the warm-up; every measured one is new to the cache.
const cold = await timed('cold', async (i) => expectOk(await auth.authenticate(request(jwts[i]))), jwts.length);
const warmToken = jwts[0];
const warm = await timed('warm', async () => expectOk(await auth.authenticate(request(warmToken))));
const patResult = await timed('pat', async () => expectOk(await auth.authenticate(request(pat))));

// The cold loop ran out of distinct tokens before its time only if verification is very fast.
const cpu = process.cpuUsage();
process.stdout.write(
  `${JSON.stringify({
    floor,
    cold,
    warm,
    pat: patResult,
    failures,
    jwksFetches: auth.stats.jwksFetches,
    introspections,
    coldTokens: jwts.length,
    tokenSha256: createHash('sha256').update(warmToken).digest('hex').slice(0, 8),
    processCpuMicros: cpu.user + cpu.system,
  })}\n`,
);
