/**
 * `tessera identity-providers`: upstream providers users sign in with. Each answer
 * names the redirect URI to register at the provider; the client secret goes in with
 * --file or --json-body and never comes back out.
 */
import { crudActions } from '../crud-actions.js';
import { printJson, printRecord } from '../output.js';
import { BODY_FLAGS, BODY_HELP, bodyFrom, need, resourceVerb } from '../resource-verb.js';
import type { Io } from './verb.js';
import type { IdentityProviderOut } from '../api-types.js';

const HELP = `${BODY_HELP}
  The body has the fields of an identityProviders entry (docs/identity-providers.md),
  clientSecret in clear; it is stored encrypted and never shown.`;

function show(io: Io, p: IdentityProviderOut): void {
  printRecord(io, [
    ['id', p.id],
    ['name', p.name],
    ['type', p.type],
    ['issuer', p.issuer ?? p.authorizationEndpoint],
    ['client id', p.clientId],
    ['client secret', p.hasClientSecret ? 'set (never shown)' : 'none'],
    ['scopes', p.scopes.join(' ')],
    ['trust email', String(p.trustEmail)],
    ['enabled', String(p.enabled)],
    ['redirect URI', p.redirectUri],
  ]);
}

/** List, get, update and delete; create takes the whole provider from a body, with no argument. */
const actions = crudActions<IdentityProviderOut>({
  path: '/identity-providers',
  noun: 'identity provider',
  none: 'no identity providers',
  arg: 'ID',
  idField: 'id',
  fields: { flags: BODY_FLAGS, help: HELP, apply: () => {} },
  show,
  table: { columns: ['id', 'name', 'type', 'enabled', 'redirect URI'], row: (p) => [p.id, p.name, p.type, String(p.enabled), p.redirectUri] },
  // What the API adds to an answer does not go back in.
  editable: ({ hasClientSecret: _h, redirectUri: _r, ...fields }) => fields,
  summaries: {
    create: 'add a provider',
    list: 'list providers',
    get: 'show a provider and its redirect URI',
    update: 'change a provider (the client secret is kept unless given)',
    delete: 'delete a provider and every identity linked through it',
  },
  synopses: { create: '--file FILE | --json-body JSON', update: 'ID --file FILE | --json-body JSON' },
  details: { update: "Fields given replace the provider's; the rest stay." },
  updateNote: '',
});

export const identityProvidersVerb = resourceVerb({
  name: 'identity-providers',
  summary: 'add, list, show, change and delete upstream identity providers',
  about: 'upstream OpenID Connect and OAuth 2 providers users sign in with ("Sign in with Corp")',
  actions: [
    {
      name: 'create',
      summary: 'add a provider',
      synopsis: '--file FILE | --json-body JSON',
      details: HELP,
      flags: BODY_FLAGS,
      async run(context) {
        need(context);
        const body = bodyFrom(context);
        if (!body) throw context.usage('give the provider with --file or --json-body');
        const provider = (await (await context.target()).call<IdentityProviderOut>('POST', '/identity-providers', { body })).body;
        if (context.json) return (printJson(context.io, provider), 0);
        context.io.err(`created identity provider ${provider.id}: register ${provider.redirectUri} at the provider`);
        show(context.io, provider);
        return 0;
      },
    },
    actions.list,
    actions.get,
    actions.update,
    actions.delete,
  ],
});
