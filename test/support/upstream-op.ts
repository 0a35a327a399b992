/**
 * A real upstream OpenID Connect provider for the tests: panva's oidc-provider on a
 * loopback port, with Tessera registered as its client. Its sign-in step is played by
 * the test: whoever `nextUser` names signs in and consents (or `deny` refuses).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface UpstreamUser {
  sub: string;
  email?: string;
  email_verified?: boolean;
  preferred_username?: string;
  name?: string;
  groups?: string[];
}

export interface UpstreamOp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who signs in at the next interaction; `deny` makes the user refuse. */
  next: { user?: UpstreamUser; deny?: boolean };
  close(): Promise<void>;
}

export async function startUpstreamOp(redirectUri: string): Promise<UpstreamOp> {
  const users = new Map<string, UpstreamUser>();
  const op: UpstreamOp = { issuer: '', clientId: 'tessera', clientSecret: 'upstream-client-secret-4f9a2c', next: {}, close: async () => {} };
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  op.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(op.issuer, {
    clients: [
      {
        client_id: op.clientId,
        client_secret: op.clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username', 'name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    findAccount: async (_ctx: unknown, sub: string) => {
      const user = users.get(sub);
      return user ? { accountId: sub, claims: async () => ({ ...user }) } : undefined;
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    cookies: { keys: ['upstream-op-cookie-key-0123456789'] },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return callback(req, res);
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      if (op.next.deny || !op.next.user) {
        await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the user said no' }, { mergeWithLastSubmission: false });
        return;
      }
      const user = op.next.user;
      users.set(user.sub, user);
      const grant = new provider.Grant({ accountId: user.sub, clientId: details.params.client_id! });
      grant.addOIDCScope(details.params.scope ?? 'openid');
      const result = { login: { accountId: user.sub }, consent: { grantId: await grant.save() } };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    })().catch((error: Error) => {
      res.statusCode = 500;
      res.end(error.message);
    });
  });
  op.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return op;
}

/** The configuration of `op` as Tessera's provider "corp" ("Sign in with Corp"): userinfo on, emails trusted. */
export function corpProvider(op: UpstreamOp, extra: Record<string, unknown> = {}) {
  return {
    id: 'corp',
    name: 'Corp',
    type: 'oidc',
    issuer: op.issuer,
    clientId: op.clientId,
    clientSecret: op.clientSecret,
    scopes: ['openid', 'email', 'profile', 'groups'],
    userinfo: true,
    trustEmail: true,
    ...extra,
  };
}
