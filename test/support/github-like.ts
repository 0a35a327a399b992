/**
 * A small OAuth 2 server shaped like GitHub's: /login/oauth/authorize approves at once
 * (the user is `next`), /login/oauth/access_token takes the client secret in the form
 * and checks PKCE, /user answers the user as JSON with a numeric id and a login.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GithubLike {
  url: string;
  clientId: string;
  clientSecret: string;
  next: { id: number; login: string; name?: string; email?: string | null };
  close(): Promise<void>;
}

export async function startGithubLike(): Promise<GithubLike> {
  const codes = new Map<string, { challenge: string; user: GithubLike['next']; redirectUri: string }>();
  const tokens = new Map<string, GithubLike['next']>();
  const gh: GithubLike = { url: '', clientId: 'Iv1.tessera', clientSecret: 'github-like-secret-7d1e', next: { id: 1, login: 'octo' }, close: async () => {} };
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', gh.url);
    if (url.pathname === '/login/oauth/authorize') {
      const code = randomBytes(10).toString('hex');
      const redirectUri = url.searchParams.get('redirect_uri')!;
      codes.set(code, { challenge: url.searchParams.get('code_challenge') ?? '', user: gh.next, redirectUri });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (form.get('client_id') !== gh.clientId || form.get('client_secret') !== gh.clientSecret) return json(res, 401, { error: 'invalid_client' });
        const verifier = form.get('code_verifier') ?? '';
        if (!grant || grant.redirectUri !== form.get('redirect_uri') || createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) {
          return json(res, 400, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
        }
        const token = `gho_${randomBytes(16).toString('hex')}`;
        tokens.set(token, grant.user);
        json(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user' });
      });
      return;
    }
    if (url.pathname === '/user') {
      const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /i, ''));
      return user ? json(res, 200, { ...user, type: 'User' }) : json(res, 401, { message: 'Bad credentials' });
    }
    json(res, 404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gh.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gh.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return gh;
}
