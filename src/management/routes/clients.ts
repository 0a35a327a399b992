/**
 * /clients: applications. Secrets are generated here and shown once; a client can
 * hold several, so rotation is: add a new one, deploy it, delete the old one.
 * A caller can give a client only permissions it holds itself (least-privilege.ts).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { CONSOLE_CLIENT_ID } from '../console-client.js';
import { toClient } from '../../core/config/apply.js';
import { clientApiSchema } from '../../core/config/schema.js';
import { ValidationError } from '../../core/errors.js';
import type { Client } from '../../core/model.js';
import { etagOf } from '../etag.js';
import { pageQuery } from '../pagination.js';
import { presentClient, secretId } from '../present.js';
import { addedPermissions, requireHeld } from '../least-privilege.js';
import { badField, conflict, notFound } from '../problem.js';
import { route } from '../route.js';
import { resourceRoutes } from '../resource.js';
import { actorOf } from '../principal.js';
import { clientCreatedOut, clientOut, newSecretOut } from '../schemas.js';
import type { AuthorizationServer } from '../../core/authorization-server.js';

const byId = z.object({ clientId: z.string() });

const usesSecrets = (client: Client) => client.tokenEndpointAuthMethod === 'client_secret_basic' || client.tokenEndpointAuthMethod === 'client_secret_post';
const newSecret = () => randomBytes(32).toString('base64url');

/** What lets whoever controls it act as the client, or receive what users give it. */
const TAKE_OVER_FIELDS = ['type', 'tokenEndpointAuthMethod', 'jwks', 'jwksUri', 'redirectUris', 'firstParty', 'allowImplicit', 'grantTypes'] as const;
const takesOver = (before: Client, after: Client) =>
  TAKE_OVER_FIELDS.some((f) => JSON.stringify(presentClient(before)[f] ?? null) !== JSON.stringify(presentClient(after)[f] ?? null));

async function load(engine: AuthorizationServer, clientId: string): Promise<Client> {
  const client = await engine.store.getClient(clientId);
  if (!client) throw notFound(`client ${clientId}`);
  return client;
}

/** Builds a client from API input, mapping model validation to a field error. */
function build(engine: AuthorizationServer, body: z.output<typeof clientApiSchema>, existing: Client | undefined, secrets: string[]): Client {
  try {
    return toClient({ ...body, secrets, secretHashes: [] }, existing, engine.hasher, engine.clock.now(), 'body');
  } catch (error) {
    if (error instanceof Error && /needs at least one secret/.test(error.message))
      throw badField('body.tokenEndpointAuthMethod', error.message.replace(/^[^:]+: /, ''));
    throw error instanceof ValidationError ? badField(error.field, error.message) : error;
  }
}

/** List, get, replace and delete; create is below, as it shows the first secret once. */
const [listClients, getClient, replaceClient, deleteClient] = resourceRoutes({
  path: '/clients',
  tag: 'Clients',
  noun: 'client',
  kind: 'client',
  params: byId,
  scopes: { read: 'read:clients', write: 'write:clients' },
  response: clientOut,
  load: (engine, clientId) => engine.store.getClient(clientId),
  present: (_engine, client) => presentClient(client),
  idOf: (client) => client.clientId,
  list: {
    summary: 'List clients',
    query: pageQuery.extend({ api: z.string().optional().describe('only clients registered to this API') }),
    items: async (engine, query) => (await engine.store.listClients()).filter((c) => query.api === undefined || c.api === query.api),
  },
  get: { summary: 'Get a client' },
  replace: {
    summary: 'Replace a client (its secrets are kept)',
    body: clientApiSchema,
    pinned: { field: 'clientId', message: 'must equal the client id in the path' },
    async save(engine, existing, body, principal, expected) {
      // A self-registered client stays one (unverified, managed with its registration access token too).
      const client: Client = { ...build(engine, body, existing, []), ...(existing.registration ? { registration: existing.registration } : {}) };
      // New permissions must be held; a new way to authenticate (or to receive codes) must hold all of them.
      const checked = takesOver(existing, client) ? client.permissions : addedPermissions(existing.permissions, client.permissions);
      requireHeld(principal.holdings, checked, `client ${client.clientId}`);
      await engine.catalogWriter.saveClient(client, expected);
      return client;
    },
  },
  delete: {
    summary: 'Delete a client, revoking its tokens and grants',
    async remove(engine, client, principal) {
      if (client.clientId === CONSOLE_CLIENT_ID) throw conflict("the admin console's client cannot be deleted");
      // Its tokens and users' grants go with it (audited as token.revoked). If-Match was
      // checked against what was read; the removal is not a compare-and-set (it starts
      // with the revocation marker, which must come before the delete).
      await engine.removeClient(client.clientId, { via: 'management', actor: actorOf(principal) });
    },
  },
});

export const clientRoutes = [
  listClients!,
  route({
    method: 'POST',
    path: '/clients',
    tag: 'Clients',
    summary: 'Create a client (its secret is in this response only)',
    scope: 'write:clients',
    status: 201,
    body: clientApiSchema,
    response: clientCreatedOut,
    async handler(engine, { body, principal }) {
      if (await engine.store.getClient(body.clientId)) throw conflict(`client ${body.clientId} exists`);
      // A client's tokens carry sub = client id: it must not name a user or service account.
      if ((await engine.store.getUser(body.clientId)) || (await engine.store.getServiceAccount(body.clientId)))
        throw conflict(`${body.clientId} is the id of a user or service account`);
      const probe = build(engine, body, undefined, [newSecret()]);
      requireHeld(principal.holdings, probe.permissions, `client ${body.clientId}`);
      const secret = usesSecrets(probe) ? newSecret() : undefined;
      const client = build(engine, body, undefined, secret ? [secret] : []);
      await engine.catalogWriter.saveClient(client);
      const out = presentClient(client);
      return {
        body: { client: out, ...(secret ? { secret: { id: secretId(client.secrets[0]!.hash), secret } } : {}) },
        etag: etagOf(out),
        change: { kind: 'client', id: client.clientId, action: 'created', after: out },
      };
    },
  }),
  getClient!,
  replaceClient!,
  deleteClient!,
  route({
    method: 'POST',
    path: '/clients/{clientId}/secrets',
    tag: 'Clients',
    summary: 'Add a secret (shown once); the others stay valid until deleted',
    scope: 'write:clients',
    status: 201,
    params: byId,
    response: newSecretOut,
    async handler(engine, { params, principal }) {
      const client = await load(engine, params.clientId);
      requireHeld(principal.holdings, client.permissions, `a secret of ${client.clientId}`);
      if (!usesSecrets(client)) throw conflict(`client ${client.clientId} authenticates with ${client.tokenEndpointAuthMethod}, not a secret`);
      const secret = newSecret();
      const hash = engine.hasher.hash(secret);
      await engine.catalogWriter.saveClient({ ...client, secrets: [...client.secrets, { hash, createdAt: engine.clock.now() }] });
      return {
        body: { id: secretId(hash), secret },
        change: { kind: 'client', id: client.clientId, action: 'secret_added', after: { secretId: secretId(hash) } },
      };
    },
  }),
  route({
    method: 'DELETE',
    path: '/clients/{clientId}/secrets/{secretId}',
    tag: 'Clients',
    summary: 'Delete a secret',
    scope: 'write:clients',
    status: 204,
    params: byId.extend({ secretId: z.string() }),
    async handler(engine, { params }) {
      const client = await load(engine, params.clientId);
      const remaining = client.secrets.filter((s) => secretId(s.hash) !== params.secretId);
      if (remaining.length === client.secrets.length) throw notFound(`secret ${params.secretId}`);
      if (remaining.length === 0) throw conflict('a client that authenticates with a secret keeps at least one: add the new one first');
      await engine.catalogWriter.saveClient({ ...client, secrets: remaining });
      return { change: { kind: 'client', id: client.clientId, action: 'secret_deleted', before: { secretId: params.secretId } } };
    },
  }),
];
