/**
 * A deliberately misbehaving OpenID Connect provider: it approves every request at
 * once and answers the code with an ID token spoiled as `mode` says (wrong nonce,
 * signed by a key it does not publish, for another audience, expired, or the ID
 * token of an earlier sign-in replayed), to prove Tessera refuses each.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

export type FakeMode = 'good' | 'wrong-nonce' | 'foreign-key' | 'wrong-audience' | 'expired' | 'replayed';

export interface FakeOidc {
  issuer: string;
  clientId: string;
  clientSecret: string;
  mode: FakeMode;
  close(): Promise<void>;
}

export async function startFakeOidc(): Promise<FakeOidc> {
  const own = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(own.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, string | undefined>();
  let previous: string | undefined;
  const fake: FakeOidc = { issuer: '', clientId: 'tessera', clientSecret: 'fake-oidc-secret-1234', mode: 'good', close: async () => {} };
  const sign = async (key: CryptoKey, claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(key);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', fake.issuer);
    const json = (body: unknown, status = 200) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json({
        issuer: fake.issuer,
        authorization_endpoint: `${fake.issuer}/authorize`,
        token_endpoint: `${fake.issuer}/token`,
        jwks_uri: `${fake.issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (url.pathname === '/jwks') return json({ keys: [jwk] });
    if (url.pathname === '/authorize') {
      const code = randomBytes(8).toString('hex');
      codes.set(code, url.searchParams.get('nonce') ?? undefined);
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === '/token') {
      req.resume();
      req.on('end', () => {
        void (async () => {
          const now = Math.floor(Date.now() / 1000);
          const nonce = [...codes.values()].at(-1);
          const claims: Record<string, unknown> = { iss: fake.issuer, sub: 'mallory', aud: fake.clientId, iat: now, exp: now + 300, nonce };
          if (fake.mode === 'wrong-nonce') claims.nonce = 'not-the-nonce';
          if (fake.mode === 'wrong-audience') claims.aud = 'someone-else';
          if (fake.mode === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
          let idToken = await sign(fake.mode === 'foreign-key' ? foreign.privateKey : own.privateKey, claims);
          if (fake.mode === 'replayed' && previous) idToken = previous;
          if (fake.mode === 'good') previous = idToken;
          json({ access_token: randomBytes(12).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
        })();
      });
      return;
    }
    json({ error: 'not_found' }, 404);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fake;
}
