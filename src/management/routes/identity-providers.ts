/**
 * /identity-providers: upstream providers users sign in with. The client secret is
 * write-only (encrypted under the master key; never returned), and every answer
 * carries the redirect URI to register at the provider. /users/{id}/identities lists
 * and unlinks a user's upstream identities.
 */
import { z } from 'zod';
import type { AuthorizationServer } from '../../core/authorization-server.js';
import { identityProviderApiSchema } from '../../core/config/identity-provider-schema.js';
import { toIdentityProvider, upstreamRedirectUri } from '../../core/federation/to-identity-provider.js';
import { ConfigError } from '../../core/errors.js';
import type { IdentityProvider } from '../../core/model.js';
import { badField, notFound } from '../problem.js';
import { resourceRoutes } from '../resource.js';
import { actorOf } from '../principal.js';
import { route } from '../route.js';
import { federatedIdentityOut, identityProviderOut } from '../schemas.js';
import { loadUser } from './users.js';

const byId = z.object({ id: z.string() });

export function presentProvider(issuer: string, provider: IdentityProvider): z.infer<typeof identityProviderOut> {
  const { clientSecretEncrypted, ...rest } = provider;
  return { ...rest, mapping: { ...rest.mapping }, hasClientSecret: clientSecretEncrypted !== undefined, redirectUri: upstreamRedirectUri(issuer, provider.id) };
}

async function toProvider(
  engine: AuthorizationServer,
  body: z.output<typeof identityProviderApiSchema>,
  existing?: IdentityProvider,
): Promise<IdentityProvider> {
  for (const [i, rule] of body.roleMappings.entries()) {
    for (const role of rule.roles) if (!(await engine.store.getRole(role))) throw badField(`body.roleMappings.${i}.roles`, `unknown role ${role}`);
  }
  try {
    return toIdentityProvider(body, existing, engine.providerSecrets, 'body');
  } catch (error) {
    if (error instanceof ConfigError) throw badField('body.clientSecret', error.message.replace(/^body\.clientSecret: /, ''));
    throw error;
  }
}

/** Builds a provider from API input (over `existing` on a replace) and stores it. */
async function saveProvider(
  engine: AuthorizationServer,
  body: z.output<typeof identityProviderApiSchema>,
  existing?: IdentityProvider,
  expected?: IdentityProvider,
): Promise<IdentityProvider> {
  const provider = await toProvider(engine, body, existing);
  if (expected) await engine.store.replaceIf('identityProvider', expected, provider);
  else await engine.store.upsertIdentityProvider(provider);
  return provider;
}

export const identityProviderRoutes = [
  ...resourceRoutes({
    path: '/identity-providers',
    tag: 'Identity providers',
    noun: 'identity provider',
    kind: 'identity_provider',
    params: byId,
    scopes: { read: 'read:identity_providers', write: 'write:identity_providers' },
    response: identityProviderOut,
    load: (engine, id) => engine.store.getIdentityProvider(id),
    present: (engine, provider) => presentProvider(engine.issuer, provider),
    idOf: (provider) => provider.id,
    list: { summary: 'List upstream identity providers', items: (engine) => engine.store.listIdentityProviders() },
    create: {
      summary: 'Add an upstream identity provider',
      body: identityProviderApiSchema,
      name: (body) => body.id,
      exists: (engine, body) => engine.store.getIdentityProvider(body.id),
      save: (engine, body) => saveProvider(engine, body),
    },
    get: { summary: 'Get an upstream identity provider' },
    replace: {
      summary: 'Replace an upstream identity provider (its client secret is kept unless given)',
      body: identityProviderApiSchema,
      pinned: { field: 'id', message: 'must equal the id in the path' },
      save: (engine, current, body, _principal, expected) => saveProvider(engine, body, current, expected),
    },
    delete: {
      summary: 'Delete an upstream identity provider and every identity linked through it',
      remove: (engine, provider, _principal, expected) =>
        expected ? engine.store.deleteIf('identityProvider', expected) : engine.store.deleteIdentityProvider(provider.id),
    },
  }),
  route({
    method: 'GET',
    path: '/users/{id}/identities',
    tag: 'Identity providers',
    summary: "List a user's linked upstream identities",
    scope: 'read:users',
    status: 200,
    params: byId,
    response: z.object({ items: z.array(federatedIdentityOut) }),
    async handler(engine, { params }) {
      return { body: { items: await engine.store.listUserIdentities((await loadUser(engine, params.id)).id) } };
    },
  }),
  route({
    method: 'DELETE',
    path: '/users/{id}/identities/{providerId}/{subject}',
    tag: 'Identity providers',
    summary: "Unlink one of a user's upstream identities",
    scope: 'write:users',
    status: 204,
    params: z.object({ id: z.string(), providerId: z.string(), subject: z.string() }),
    async handler(engine, { params, principal }) {
      const user = await loadUser(engine, params.id);
      if (!(await engine.store.deleteFederatedIdentity(user.id, params.providerId, params.subject)))
        throw notFound(`identity ${params.providerId}/${params.subject} of user ${params.id}`);
      engine.audit.record({
        type: 'upstream.unlinked',
        outcome: 'success',
        actor: actorOf(principal),
        subject: user.id,
        details: { provider: params.providerId, upstreamSubject: params.subject, via: 'management' },
      });
      return {};
    },
  }),
];
