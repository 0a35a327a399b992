/**
 * `tessera dev mint`: a test token, the way the real flows would make it.
 *
 * Local mode (the store is here, so are the signing keys): the engine issues it in
 * process, after the checks of the real flow (src/devtools/mint-test-token.ts, shared
 * with the management API's POST /dev/tokens).
 *
 * Through the server (api mode) nothing is signed on the side: a client's token is a
 * real client_credentials request to /token (it needs the client's secret), and a
 * user's is a personal access token created through the management API that expires
 * with --ttl (default 1h). An API alone cannot be minted for through the server.
 */
import type { AuditActor } from '../../core/audit/audit-event.js';
import { ValidationError } from '../../core/errors.js';
import { mintTestToken, type MintRequest as TestMintRequest, type Minted } from '../../devtools/mint-test-token.js';
import { decodeClaims, postForm } from '../../devtools/server-calls.js';
import { duration } from '../output.js';
import { findUser, type UserOut } from '../resolve.js';
import { ManagementError, seg, type Target } from '../target.js';
import { UsageError } from '../usage-error.js';

export type { Minted };

export interface MintRequest extends TestMintRequest {
  clientSecret?: string;
}

/** client_id of tokens minted for a user without --client, or for an API alone. */
export const CLI_CLIENT_ID = 'tessera-cli';

export async function mint(target: Target, request: MintRequest, actor: AuditActor): Promise<Minted> {
  if (request.user === undefined && request.client === undefined && request.api === undefined) {
    throw new UsageError('say whom the token is for: --client ID, --user USER or --api URL');
  }
  if (!target.engine) return mintThroughServer(target, request);
  if (request.user !== undefined && request.api === undefined && request.client === undefined) throw new UsageError('--api is required');
  const { clientSecret: _unused, ...wanted } = request;
  return mintTestToken(target.engine, wanted, actor, { defaultClientId: CLI_CLIENT_ID, origin: 'from the local store', auditAs: 'tessera dev mint' });
}

async function mintThroughServer(target: Target, request: MintRequest): Promise<Minted> {
  if (request.format !== undefined) throw new UsageError("--format needs the local store; through the server, tokens come in their API's format");
  if (request.user !== undefined) {
    if (request.client !== undefined) throw new UsageError("--user with --client needs the local store; through the server, a user's test token is a PAT");
    if (request.api === undefined) throw new UsageError('--api is required');
    const user = await findUser(target, request.user);
    const scopes = request.scopes ?? (await scopesOf(target, user, request.api));
    const expiresIn = request.ttl ?? 3600;
    const created = await target.call<{ token: string; summary: { id: string; expiresAt?: number } }>('POST', '/tokens', {
      body: {
        kind: 'personal_access_token',
        userId: user.id,
        name: `tessera dev mint ${new Date().toISOString().slice(0, 19)}Z`,
        api: request.api,
        scopes,
        expiresIn,
      },
    });
    return {
      token: created.body.token,
      kind: 'personal_access_token',
      format: 'reference',
      api: request.api,
      scopes,
      subject: user.id,
      expiresAt: created.body.summary.expiresAt ?? Math.floor(Date.now() / 1000) + expiresIn,
      id: created.body.summary.id,
      how: `created a personal access token for user ${user.username} on ${request.api} through the management API (it expires in ${duration(expiresIn)}; revoke it with \`tessera tokens revoke ${created.body.summary.id}\`)`,
    };
  }
  if (request.client !== undefined) {
    if (request.ttl !== undefined) throw new UsageError("--ttl needs the local store; through the server, a client's token lives as long as its API says");
    if (request.clientSecret === undefined) {
      throw new UsageError(
        "through the server, a client's token comes from a real client_credentials request: give its secret in TESSERA_CLIENT_SECRET or with --client-secret-stdin",
      );
    }
    const form: Record<string, string> = { grant_type: 'client_credentials' };
    if (request.api !== undefined) form.resource = request.api;
    if (request.scopes !== undefined) form.scope = request.scopes.join(' ');
    const body = await postForm(target.server!, '/token', request.client, request.clientSecret, form);
    const token = String(body.access_token);
    const claims = token.split('.').length === 3 ? decodeClaims(token) : undefined;
    return {
      token,
      kind: 'access_token',
      format: claims ? 'jwt' : 'reference',
      api: String(claims?.aud ?? request.api ?? ''),
      scopes: String(body.scope ?? '')
        .split(' ')
        .filter(Boolean),
      subject: request.client,
      clientId: request.client,
      expiresAt: Math.floor(Date.now() / 1000) + Number(body.expires_in ?? 0),
      ...(typeof claims?.jti === 'string' ? { id: claims.jti } : {}),
      how: `got an access token for client ${request.client} with client_credentials from ${target.server}/token`,
    };
  }
  throw new UsageError(
    "minting for an API alone signs with the server's keys and needs the local store; through the server, mint for --client (with its secret) or --user (a PAT)",
  );
}

/** The scopes a user's roles give on an API, read through the API (read:roles). */
async function scopesOf(target: Target, user: UserOut, api: string): Promise<string[]> {
  const scopes = new Set<string>();
  for (const role of user.roles) {
    const found = await target.call<{ permissions: Record<string, string[]> }>('GET', `/roles/${seg(role)}`).catch((error: unknown) => {
      if (error instanceof ManagementError && error.status === 404) return undefined;
      throw error;
    });
    for (const scope of found?.body.permissions[api] ?? []) scopes.add(scope);
  }
  if (scopes.size === 0) throw new ValidationError('scope', `the roles of ${user.username} give no scope on ${api}`);
  return [...scopes];
}
