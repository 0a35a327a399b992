/** `tessera clients`: applications, their grants and permissions, and secret rotation. */
import { crudActions } from '../crud-actions.js';
import { permissionLines, printJson, printRecord, printTable, when } from '../output.js';
import { BODY_FLAGS, BODY_HELP, bodyFrom, listFlag, need, resourceVerb, switchFlag, switchFlags, type ActionContext } from '../resource-verb.js';
import { seg } from '../target.js';
import type { Io } from './verb.js';
import type { ClientOut } from '../api-types.js';

interface NewSecret {
  id: string;
  secret: string;
}

const SWITCHES = ['first-party', 'allow-implicit', 'require-pkce', 'require-dpop', 'require-par', 'require-mfa', 'sandbox'] as const;
const SWITCH_FIELDS: Record<(typeof SWITCHES)[number], keyof ClientOut> = {
  'first-party': 'firstParty',
  'allow-implicit': 'allowImplicit',
  'require-pkce': 'requirePkce',
  'require-dpop': 'requireDpop',
  'require-par': 'requirePushedAuthorizationRequests',
  'require-mfa': 'requireMfa',
  sandbox: 'sandbox',
};

const FIELD_FLAGS = {
  name: { type: 'string' },
  type: { type: 'string' },
  'auth-method': { type: 'string' },
  grant: { type: 'string', multiple: true },
  'redirect-uri': { type: 'string', multiple: true },
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  api: { type: 'string' },
  scope: { type: 'string', multiple: true },
  permission: { type: 'string', multiple: true },
  introspection: { type: 'string' },
  'jwks-uri': { type: 'string' },
  'backchannel-logout-uri': { type: 'string' },
  ...switchFlags(...SWITCHES),
  ...BODY_FLAGS,
} as const;

const FIELD_HELP = `  --name NAME                 display name (default: the client id)
  --type confidential|public  (default confidential)
  --auth-method METHOD        client_secret_basic (default for confidential), client_secret_post,
                              private_key_jwt (with --jwks-uri) or none (public clients)
  --grant GRANT               a grant type (repeat, or "a b"): client_credentials (default),
                              authorization_code, refresh_token, urn:ietf:params:oauth:grant-type:token-exchange,
                              urn:ietf:params:oauth:grant-type:device_code (device flow, RFC 8628)
  --redirect-uri URI          (repeat) needed for authorization_code
  --post-logout-redirect-uri URI  (repeat)
  --api URL                   the API the client is registered to (its default audience)
  --scope SCOPE               scopes granted on --api (repeat, or "a b")
  --permission "API=a b"      scopes granted on another API (repeat; "API=" removes it)
  --introspection own|any     which tokens it may introspect (any: a resource server)
  --jwks-uri URL              its public keys, for private_key_jwt
  --backchannel-logout-uri URL  where logout tokens are POSTed when a session ends ("" removes it)
  --[no-]first-party          no consent screen for its users
  --[no-]allow-implicit       --[no-]require-pkce  --[no-]require-dpop  --[no-]require-mfa  --[no-]sandbox
  --[no-]require-par          authorization requests only through /par (RFC 9126)
${BODY_HELP}`;

function applyFlags(context: ActionContext, body: Record<string, unknown>, creating: boolean): void {
  const v = context.values;
  if (v.name !== undefined) body.name = v.name;
  if (v.type !== undefined) body.type = v.type;
  if (v['auth-method'] !== undefined) body.tokenEndpointAuthMethod = v['auth-method'];
  const grants = listFlag(v.grant);
  if (grants) body.grantTypes = grants;
  if (v['redirect-uri'] !== undefined) body.redirectUris = v['redirect-uri'];
  if (v['post-logout-redirect-uri'] !== undefined) body.postLogoutRedirectUris = v['post-logout-redirect-uri'];
  if (v.api !== undefined) body.api = v.api;
  if (v.introspection !== undefined) body.introspection = v.introspection;
  if (v['jwks-uri'] !== undefined) body.jwksUri = v['jwks-uri'];
  if (v['backchannel-logout-uri'] !== undefined) body.backchannelLogoutUri = v['backchannel-logout-uri'] === '' ? undefined : v['backchannel-logout-uri'];
  for (const name of SWITCHES) {
    const on = switchFlag(context, name);
    if (on !== undefined) body[SWITCH_FIELDS[name]] = on;
  }
  const permissions = { ...(body.permissions as Record<string, string[]> | undefined) };
  for (const entry of (v.permission as string[] | undefined) ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw context.usage(`--permission takes "API=scope scope", got ${entry}`);
    const scopes = entry
      .slice(eq + 1)
      .split(/[\s,]+/)
      .filter(Boolean);
    if (scopes.length === 0) delete permissions[entry.slice(0, eq)];
    else permissions[entry.slice(0, eq)] = scopes;
  }
  const scopes = listFlag(v.scope);
  if (scopes) {
    if (typeof body.api !== 'string') throw context.usage("--scope grants scopes on the client's API: give --api too");
    // On create the API adds `scopes` to the permissions on `api`; on update they replace them.
    if (creating) body.scopes = scopes;
    else permissions[body.api] = scopes;
  }
  if (v.permission !== undefined || (scopes && !creating)) body.permissions = permissions;
}

function show(io: Io, c: ClientOut): void {
  const flags = SWITCHES.filter((s) => c[SWITCH_FIELDS[s]] === true);
  printRecord(io, [
    ['client id', c.clientId],
    ['name', c.name],
    ['type', c.type],
    ['auth method', c.tokenEndpointAuthMethod],
    ['grants', c.grantTypes.join(' ')],
    ['api', c.api],
    ['permissions', permissionLines(c.permissions)],
    ['redirect uris', c.redirectUris],
    ...(c.postLogoutRedirectUris.length > 0 ? ([['post-logout uris', c.postLogoutRedirectUris]] as [string, string[]][]) : []),
    ['introspection', c.introspection],
    ['options', flags.join(' ')],
    ...(c.jwksUri ? ([['jwks uri', c.jwksUri]] as [string, string][]) : []),
    ...(c.backchannelLogoutUri ? ([['back-channel logout', c.backchannelLogoutUri]] as [string, string][]) : []),
    ...(c.jwks ? ([['jwks', `${c.jwks.keys.length} key(s)`]] as [string, string][]) : []),
    ...(c.registration
      ? ([
          [
            'registered',
            `itself (RFC 7591, unverified) ${when(c.registration.registeredAt)}${c.registration.initialAccessTokenId ? ` with initial access token ${c.registration.initialAccessTokenId}` : ''}`,
          ],
        ] as [string, string][])
      : []),
    ['secrets', c.secrets.map((s) => `${s.id}  created ${when(s.createdAt)}${s.expiresAt !== undefined ? `  expires ${when(s.expiresAt)}` : ''}`)],
  ]);
}

const clientInput = ({ secrets: _secrets, registration: _registration, ...rest }: ClientOut): Record<string, unknown> => rest;

/** List, get, update and delete; create prints the secret once. */
const actions = crudActions<ClientOut>({
  path: '/clients',
  noun: 'client',
  none: 'no clients',
  arg: 'CLIENT_ID',
  idField: 'clientId',
  fields: { flags: FIELD_FLAGS, help: FIELD_HELP, apply: (context, body) => applyFlags(context, body, false) },
  show,
  table: {
    columns: ['client id', 'name', 'type', 'auth method', 'grants', 'api'],
    // A client that registered itself (RFC 7591) is marked after its declared name.
    row: (c) => [c.clientId, c.registration ? `${c.name} [registered itself]` : c.name, c.type, c.tokenEndpointAuthMethod, c.grantTypes.join(' '), c.api],
  },
  listFilters: {
    synopsis: '[--api URL]',
    help: '  --api URL   only the clients registered to this API',
    flags: { api: { type: 'string' } },
    query: (context) => ({ api: context.values.api as string | undefined }),
  },
  editable: clientInput,
  summaries: {
    create: 'register a client; a generated secret is printed once',
    list: 'list clients',
    get: 'show a client (its secrets by id only)',
    update: 'change a client: the fields given change, the others (and its secrets) stay',
    delete: 'delete a client, revoking its tokens and the grants users gave it',
  },
  synopses: { create: 'CLIENT_ID', update: 'CLIENT_ID [flags of create]' },
  details: { update: "  On update --scope replaces the scopes on the client's API." },
});

export const clientsVerb = resourceVerb({
  name: 'clients',
  summary: 'create, list, show, change and delete clients; rotate their secrets',
  about: 'applications: their grants, permissions on APIs, and secrets',
  actions: [
    {
      name: 'create',
      summary: 'register a client; a generated secret is printed once',
      synopsis: 'CLIENT_ID [--grant G ...] [--api URL --scope "a b"] [--redirect-uri URI ...] [--type public] ...',
      details: `${FIELD_HELP}\nA client that authenticates with a secret gets one generated; it is shown this once.`,
      flags: FIELD_FLAGS,
      async run(context) {
        if (context.positionals.length > 1) throw context.usage(`unexpected argument ${context.positionals[1]}`);
        const body: Record<string, unknown> = { ...bodyFrom(context) };
        if (context.positionals[0] !== undefined) body.clientId = context.positionals[0];
        if (body.clientId === undefined) throw context.usage('missing CLIENT_ID');
        applyFlags(context, body, true);
        const created = (await (await context.target()).call<{ client: ClientOut; secret?: NewSecret }>('POST', '/clients', { body })).body;
        if (context.json) return (printJson(context.io, created), 0);
        context.io.err(`created client ${created.client.clientId}`);
        show(context.io, created.client);
        if (created.secret) {
          context.io.out(`secret  ${created.secret.secret}`);
          context.io.err(`copy the secret (id ${created.secret.id}) now: it is not shown again`);
        }
        return 0;
      },
    },
    actions.list,
    actions.get,
    actions.update,
    actions.delete,
    {
      name: 'secret',
      summary: 'rotate secrets: add one (printed once), list them, delete the old one',
      synopsis: 'add CLIENT_ID | list CLIENT_ID | delete CLIENT_ID SECRET_ID',
      details: `Rotation without downtime: add a secret (both work), deploy it, delete the old one.
A client keeps at least one secret.`,
      async run(context) {
        const [action, id, secretId] = context.positionals;
        const target = async () => context.target();
        if (action === 'add') {
          need({ ...context, positionals: context.positionals.slice(1) }, 'CLIENT_ID');
          const added = (await (await target()).call<NewSecret>('POST', `/clients/${seg(id!)}/secrets`)).body;
          if (context.json) return (printJson(context.io, added), 0);
          context.io.out(added.secret);
          context.io.err(`added secret ${added.id} to ${id}; copy it now: it is not shown again`);
          return 0;
        }
        if (action === 'list') {
          need({ ...context, positionals: context.positionals.slice(1) }, 'CLIENT_ID');
          const client = (await (await target()).call<ClientOut>('GET', `/clients/${seg(id!)}`)).body;
          if (context.json) return (printJson(context.io, client.secrets), 0);
          printTable(
            context.io,
            ['id', 'created', 'expires'],
            client.secrets.map((s) => [s.id, when(s.createdAt), when(s.expiresAt)]),
            `${id} has no secrets`,
          );
          return 0;
        }
        if (action === 'delete') {
          need({ ...context, positionals: context.positionals.slice(1) }, 'CLIENT_ID', 'SECRET_ID');
          await (await target()).call('DELETE', `/clients/${seg(id!)}/secrets/${seg(secretId!)}`);
          if (context.json) printJson(context.io, { deleted: secretId, clientId: id });
          else context.io.out(`deleted secret ${secretId} of ${id}`);
          return 0;
        }
        throw context.usage('secret takes add, list or delete');
      },
    },
  ],
});
