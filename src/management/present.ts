/** Model objects as the management API shows them: no secrets, no hashes. */
import type { Client, User } from '../core/model.js';
import type { z } from 'zod';
import type { clientOut, userOut } from './schemas.js';

/**
 * A secret is named by the start of its keyed hash: enough to tell secrets apart,
 * useless to an attacker. In hex, not the hash's base64url, so that an id never starts
 * with "-" and reads as a flag on a command line.
 */
export const secretId = (hash: string) => Buffer.from(hash, 'base64url').subarray(0, 6).toString('hex');

export function presentClient(client: Client): z.infer<typeof clientOut> {
  const out: z.infer<typeof clientOut> = {
    clientId: client.clientId,
    name: client.name,
    type: client.type,
    tokenEndpointAuthMethod: client.tokenEndpointAuthMethod,
    secrets: client.secrets.map((s) => ({ id: secretId(s.hash), createdAt: s.createdAt, ...(s.expiresAt !== undefined ? { expiresAt: s.expiresAt } : {}) })),
    redirectUris: client.redirectUris,
    postLogoutRedirectUris: client.postLogoutRedirectUris ?? [],
    grantTypes: client.grantTypes,
    permissions: client.permissions,
    introspection: client.introspection,
    firstParty: client.firstParty ?? false,
    allowImplicit: client.allowImplicit ?? false,
    requirePkce: client.requirePkce ?? false,
    requireDpop: client.requireDpop ?? false,
    requirePushedAuthorizationRequests: client.requirePushedAuthorizationRequests ?? false,
    requireMfa: client.requireMfa ?? false,
    ...(client.idTokenSignedResponseAlg ? { idTokenSignedResponseAlg: client.idTokenSignedResponseAlg } : {}),
    sandbox: client.sandbox ?? false,
  };
  if (client.api !== undefined) out.api = client.api;
  if (client.jwks !== undefined) out.jwks = client.jwks;
  if (client.jwksUri !== undefined) out.jwksUri = client.jwksUri;
  if (client.claims !== undefined) out.claims = client.claims;
  if (client.identityProviders !== undefined) out.identityProviders = client.identityProviders;
  if (client.registration !== undefined) {
    const { registeredAt, initialAccessTokenId, metadata } = client.registration;
    out.registration = { registeredAt, metadata, ...(initialAccessTokenId ? { initialAccessTokenId } : {}) };
  }
  return out;
}

export function presentUser(user: User): z.infer<typeof userOut> {
  const { passwordHash, notBefore: _n, ...rest } = user;
  return { ...rest, hasPassword: passwordHash !== undefined };
}
