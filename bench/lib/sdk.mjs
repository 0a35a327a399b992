/**
 * The resource-server SDK in process (scenario "sdk"): how many credentials one core
 * verifies per second through `authenticate()`, with no network at all. The issuer is
 * stubbed by an injected `fetch` that serves a JWK set and one introspection answer.
 *
 *   node lib/sdk.mjs '<json spec>'   spec: { root, seconds }
 *
 * Four loops of sequential awaits, interleaved in short slices (see below):
 *   floor  node:crypto ES256 verify of distinct pre-signed JWTs (crypto.verify, ieee-p1363)
 *   cold   authenticate() of a new ES256 JWT each time (pre-signed; signature, claims, cache miss)
 *   warm   authenticate() of the same JWT over and over (served from the verified-token cache)
 *   pat    authenticate() of the same PAT, its introspection answer cached (cacheSeconds 3600)
 * Prints one JSON line: { floor, cold, warm, pat, processCpuMicros }, each
 * { perSecond, usEach (per CPU second / CPU µs), wallPerSecond, count, cpuSeconds, seconds }.
 */
import { generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const spec = JSON.parse(process.argv[2]);
const seconds = spec.seconds;
const { createAuthenticator } = await import(pathToFileURL(join(spec.root, 'packages', 'resource-server', 'dist', 'index.js')).href);
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
const distinctCount = Math.max(20_000, Math.round(seconds * 25_000));
const jwts = Array.from({ length: distinctCount }, mintJwt);
const parts = jwts.map((t) => {
  const dot = t.lastIndexOf('.');
  return { input: Buffer.from(t.slice(0, dot)), signature: Buffer.from(t.slice(dot + 1), 'base64url') };
});

let failures = 0;
const expectOk = (result) => {
  if (!result.ok) failures++;
};

/**
 * The four loops run interleaved, in rounds of short slices (floor, cold, warm, pat,
 * floor, ...), so that a neighbour's burst on a shared machine hits all of them
 * alike; each adds up its own count, wall time and process CPU time. The figures
 * are per CPU second (what one core would do if it did nothing else); wall-time
 * rates are kept beside them.
 */
const loops = {
  floor: {
    limit: parts.length,
    step: (i) => {
      const p = parts[i % parts.length];
      if (!verify('sha256', p.input, { key: publicKey, dsaEncoding: 'ieee-p1363' }, p.signature)) failures++;
    },
  },
  // cold: every token is new to the cache (the first 200 went to the warm-up).
  cold: { limit: jwts.length, step: async (i) => expectOk(await auth.authenticate(request(jwts[i]))) },
  warm: { limit: Infinity, step: async () => expectOk(await auth.authenticate(request(jwts[0]))) },
  pat: { limit: Infinity, step: async () => expectOk(await auth.authenticate(request(pat))) },
};
for (const loop of Object.values(loops)) {
  // warm-up: JIT, the JWKS fetch, the first introspection; not measured
  for (let i = 0; i < 200; i++) await loop.step(i);
  Object.assign(loop, { next: 200, count: 0, wall: 0, cpu: 0 });
}
const ROUNDS = 10;
const slice = BigInt(Math.round((seconds / ROUNDS) * 1e9));
for (let round = 0; round < ROUNDS; round++) {
  for (const loop of Object.values(loops)) {
    const cpu0 = process.cpuUsage();
    const started = process.hrtime.bigint();
    const deadline = started + slice;
    let t = started;
    while (t < deadline && loop.next + 100 <= loop.limit) {
      for (let i = 0; i < 100; i++) await loop.step(loop.next++);
      loop.count += 100;
      t = process.hrtime.bigint();
    }
    const cpu = process.cpuUsage(cpu0);
    loop.wall += Number(t - started) / 1e9;
    loop.cpu += (cpu.user + cpu.system) / 1e6;
  }
}
const figures = (loop) => ({
  perSecond: loop.count / loop.cpu,
  usEach: (loop.cpu * 1e6) / loop.count,
  wallPerSecond: loop.count / loop.wall,
  count: loop.count,
  cpuSeconds: loop.cpu,
  seconds: loop.wall,
});
const floor = figures(loops.floor);
const cold = figures(loops.cold);
const warm = figures(loops.warm);
const patResult = figures(loops.pat);

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
        processCpuMicros: cpu.user + cpu.system,
  })}\n`,
);
