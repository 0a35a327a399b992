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
import { checkIfMatch, etagOf } from '../etag.js';
import { paginate, pageQuery, pageSchema } from '../pagination.js';
import { badField, conflict, notFound } from '../problem.js';
import { actorOf } from '../principal.js';
import { route } from '../route.js';
import { federatedIdentityOut, identityProviderOut } from '../schemas.js';
import { loadUser } from './users.js';

const byId = z.object({ id: z.string() });

export function presentProvider(issuer: string, provider: IdentityProvider): z.infer<typeof identityProviderOut> {
  const { clientSecretEncrypted, ...rest } = provider;
  return { ...rest, mapping: { ...rest.mapping }, hasClientSecret: clientSecretEncrypted !== undefined, redirectUri: upstreamRedirectUri(issuer, provider.id) };
}

async function toProvider(engine: AuthorizationServer, body: z.output<typeof identityProviderApiSchema>, existing?: IdentityProvider): Promise<IdentityProvider> {
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

export const identityProviderRoutes = [
  route({
    method: 'GET', path: '/identity-providers', tag: 'Identity providers', summary: 'List upstream identity providers', scope: 'read:identity_providers', status: 200,
    query: pageQuery, response: pageSchema(identityProviderOut),
    async handler(engine, { query }) {
      const page = paginate(await engine.store.listIdentityProviders(), (p) => p.id, query);
      return { body: { ...page, items: page.items.map((p) => presentProvider(engine.issuer, p)) } };
    },
  }),
  route({
    method: 'POST', path: '/identity-providers', tag: 'Identity providers', summary: 'Add an upstream identity provider', scope: 'write:identity_providers', status: 201,
    body: identityProviderApiSchema, response: identityProviderOut,
    async handler(engine, { body }) {
      if (await engine.store.getIdentityProvider(body.id)) throw conflict(`identity provider ${body.id} exists`);
      const provider = await toProvider(engine, body);
      await engine.store.upsertIdentityProvider(provider);
      const out = presentProvider(engine.issuer, provider);
      return { body: out, etag: etagOf(out), change: { kind: 'identity_provider', id: provider.id, action: 'created', after: out } };
    },
  }),
  route({
    method: 'GET', path: '/identity-providers/{id}', tag: 'Identity providers', summary: 'Get an upstream identity provider', scope: 'read:identity_providers', status: 200,
    params: byId, response: identityProviderOut,
    async handler(engine, { params }) {
      const provider = await engine.store.getIdentityProvider(params.id);
      if (!provider) throw notFound(`identity provider ${params.id}`);
      const out = presentProvider(engine.issuer, provider);
      return { body: out, etag: etagOf(out) };
    },
  }),
  route({
    method: 'PUT', path: '/identity-providers/{id}', tag: 'Identity providers', summary: 'Replace an upstream identity provider (its client secret is kept unless given)', scope: 'write:identity_providers', status: 200,
    params: byId, body: identityProviderApiSchema, response: identityProviderOut,
    async handler(engine, { params, body, ifMatch }) {
      const current = await engine.store.getIdentityProvider(params.id);
      if (!current) throw notFound(`identity provider ${params.id}`);
      if (body.id !== params.id) throw badField('body.id', 'must equal the id in the path');
      const before = presentProvider(engine.issuer, current);
      checkIfMatch(before, ifMatch);
      const provider = await toProvider(engine, body, current);
      await engine.store.upsertIdentityProvider(provider);
      const out = presentProvider(engine.issuer, provider);
      return { body: out, etag: etagOf(out), change: { kind: 'identity_provider', id: provider.id, action: 'updated', before, after: out } };
    },
  }),
  route({
    method: 'DELETE', path: '/identity-providers/{id}', tag: 'Identity providers', summary: 'Delete an upstream identity provider and every identity linked through it', scope: 'write:identity_providers', status: 204,
    params: byId,
    async handler(engine, { params }) {
      const before = await engine.store.getIdentityProvider(params.id);
      if (!before || !(await engine.store.deleteIdentityProvider(params.id))) throw notFound(`identity provider ${params.id}`);
      return { change: { kind: 'identity_provider', id: params.id, action: 'deleted', before: presentProvider(engine.issuer, before) } };
    },
  }),
  route({
    method: 'GET', path: '/users/{id}/identities', tag: 'Identity providers', summary: "List a user's linked upstream identities", scope: 'read:users', status: 200,
    params: byId, response: z.object({ items: z.array(federatedIdentityOut) }),
    async handler(engine, { params }) {
      return { body: { items: await engine.store.listUserIdentities((await loadUser(engine, params.id)).id) } };
    },
  }),
  route({
    method: 'DELETE', path: '/users/{id}/identities/{providerId}/{subject}', tag: 'Identity providers', summary: "Unlink one of a user's upstream identities", scope: 'write:users', status: 204,
    params: z.object({ id: z.string(), providerId: z.string(), subject: z.string() }),
    async handler(engine, { params, principal }) {
      const user = await loadUser(engine, params.id);
      if (!(await engine.store.deleteFederatedIdentity(user.id, params.providerId, params.subject))) throw notFound(`identity ${params.providerId}/${params.subject} of user ${params.id}`);
      engine.audit.record({ type: 'upstream.unlinked', outcome: 'success', actor: actorOf(principal), subject: user.id, details: { provider: params.providerId, upstreamSubject: params.subject, via: 'management' } });
      return {};
    },
  }),
];
