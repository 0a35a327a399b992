/**
 * A stand-in for Tessera that speaks the contract the SDK relies on: discovery, JWKS and
 * introspection (client_secret_basic), answering for tokens the test registers. Used for
 * the credential kinds the real server does not issue yet (PAT, SAT, user and action
 * tokens) and for JWTs no honest server would sign (wrong iss, typ, alg...).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { tokenChecksum, toBase62, TOKEN_PREFIXES, type TokenStringKind } from '@tessera/resource-server/shared';

export const AUDIENCE = 'https://api.organizer.test';
export const INTROSPECTOR = { clientId: 'organizer-api', clientSecret: 'organizer-api-secret-0123456789' };

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export type IntrospectionAnswer = Record<string, unknown>;

export interface FakeIssuer {
  url: string;
  /** Keys published in the JWKS (add or remove to simulate rotation). */
  published: SigningKey[];
  newKey(alg?: 'ES256' | 'RS256' | 'EdDSA'): Promise<SigningKey>;
  /** Signs an at+jwt with the first published key unless told otherwise. */
  jwt(claims?: JWTPayload, header?: { alg?: string; kid?: string; typ?: string | undefined; key?: SigningKey }): Promise<string>;
  /** A well-formed opaque token string of this kind (valid checksum). */
  opaque(kind: TokenStringKind): string;
  hexKey(): string;
  /** What introspection answers for a token (absent: inactive). */
  answers: Map<string, IntrospectionAnswer>;
  /** Introspection answers 500 while true. */
  down: boolean;
  counts: { discovery: number; jwks: number; introspection: number };
  lastIntrospection: { authorization: string | undefined; params: URLSearchParams } | undefined;
  close(): Promise<void>;
}

async function makeKey(alg: 'ES256' | 'RS256' | 'EdDSA'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomBytes(8).toString('hex');
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

export async function startFakeIssuer(options: { now: () => number }): Promise<FakeIssuer> {
  const expectedAuth = `Basic ${Buffer.from(`${INTROSPECTOR.clientId}:${INTROSPECTOR.clientSecret}`).toString('base64')}`;
  const issuer: FakeIssuer = {
    url: '',
    published: [await makeKey('ES256')],
    newKey: makeKey,
    answers: new Map(),
    down: false,
    counts: { discovery: 0, jwks: 0, introspection: 0 },
    lastIntrospection: undefined,
    async jwt(claims = {}, header = {}) {
      const key = header.key ?? issuer.published[0]!;
      const now = options.now();
      const payload: JWTPayload = {
        iss: issuer.url,
        sub: 'alice-id',
        aud: AUDIENCE,
        client_id: 'calendar-app',
        scope: 'read:calendars write:calendars',
        iat: now,
        exp: now + 600,
        jti: randomBytes(8).toString('hex'),
        ...claims,
      };
      for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
      const typ = 'typ' in header ? header.typ : 'at+jwt';
      return new SignJWT(payload).setProtectedHeader({ alg: header.alg ?? key.alg, kid: header.kid ?? key.kid, ...(typ ? { typ } : {}) }).sign(key.privateKey);
    },
    opaque(kind) {
      const body = TOKEN_PREFIXES[kind] + toBase62(randomBytes(32), 43);
      return body + tokenChecksum(body);
    },
    hexKey: () => randomBytes(20).toString('hex'),
    close: async () => undefined,
  };

  const server = createServer((req, res) => {
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    void (async () => {
      if (req.url === '/.well-known/openid-configuration') {
        issuer.counts.discovery++;
        return json(200, { issuer: issuer.url, jwks_uri: `${issuer.url}/jwks`, introspection_endpoint: `${issuer.url}/introspect` });
      }
      if (req.url === '/jwks') {
        issuer.counts.jwks++;
        return json(200, { keys: issuer.published.map((k) => k.publicJwk) });
      }
      if (req.url === '/introspect' && req.method === 'POST') {
        issuer.counts.introspection++;
        const params = new URLSearchParams(await readBody(req));
        issuer.lastIntrospection = { authorization: req.headers.authorization, params };
        if (issuer.down) return json(500, { error: 'server_error' });
        if (req.headers.authorization !== expectedAuth) return json(401, { error: 'invalid_client' });
        const answer = issuer.answers.get(params.get('token') ?? '');
        return json(200, answer ? { active: true, iat: options.now() - 10, jti: randomBytes(8).toString('hex'), ...answer } : { active: false });
      }
      json(404, { error: 'not_found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  issuer.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return issuer;
}
