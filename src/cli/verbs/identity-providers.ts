/**
 * `tessera identity-providers`: upstream providers users sign in with. Each answer
 * names the redirect URI to register at the provider; the client secret goes in with
 * --file or --json-body and never comes back out.
 */
import { printJson, printRecord, printTable } from '../output.js';
import { BODY_FLAGS, BODY_HELP, bodyFrom, need, resourceVerb } from '../resource-verb.js';
import { listAll, seg } from '../target.js';
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
        if (context.json) return printJson(context.io, provider), 0;
        context.io.err(`created identity provider ${provider.id}: register ${provider.redirectUri} at the provider`);
        show(context.io, provider);
        return 0;
      },
    },
    {
      name: 'list',
      summary: 'list providers',
      synopsis: '',
      async run(context) {
        need(context);
        const providers = await listAll<IdentityProviderOut>(await context.target(), '/identity-providers');
        if (context.json) return printJson(context.io, providers), 0;
        printTable(context.io, ['id', 'name', 'type', 'enabled', 'redirect URI'], providers.map((p) => [p.id, p.name, p.type, String(p.enabled), p.redirectUri]), 'no identity providers');
        return 0;
      },
    },
    {
      name: 'get',
      summary: 'show a provider and its redirect URI',
      synopsis: 'ID',
      async run(context) {
        const [id] = need(context, 'ID');
        const provider = (await (await context.target()).call<IdentityProviderOut>('GET', `/identity-providers/${seg(id!)}`)).body;
        if (context.json) printJson(context.io, provider);
        else show(context.io, provider);
        return 0;
      },
    },
    {
      name: 'update',
      summary: 'change a provider (the client secret is kept unless given)',
      synopsis: 'ID --file FILE | --json-body JSON',
      details: `${HELP}\nFields given replace the provider's; the rest stay.`,
      flags: BODY_FLAGS,
      async run(context) {
        const [id] = need(context, 'ID');
        const target = await context.target();
        const path = `/identity-providers/${seg(id!)}`;
        const current = await target.call<IdentityProviderOut>('GET', path);
        const { hasClientSecret: _h, redirectUri: _r, ...fields } = current.body;
        const body = { ...fields, ...bodyFrom(context) };
        const provider = (await target.call<IdentityProviderOut>('PUT', path, { body, ...(current.etag ? { ifMatch: current.etag } : {}) })).body;
        if (context.json) return printJson(context.io, provider), 0;
        context.io.err(`updated identity provider ${provider.id}`);
        show(context.io, provider);
        return 0;
      },
    },
    {
      name: 'delete',
      summary: 'delete a provider and every identity linked through it',
      synopsis: 'ID',
      async run(context) {
        const [id] = need(context, 'ID');
        await (await context.target()).call('DELETE', `/identity-providers/${seg(id!)}`);
        if (context.json) printJson(context.io, { deleted: id });
        else context.io.out(`deleted identity provider ${id}`);
        return 0;
      },
    },
  ],
});
