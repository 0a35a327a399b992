/** `tessera registration`: dynamic client registration's state, and its initial access tokens. */
import { parseDuration } from '../../core/config/duration.js';
import { printJson, printRecord, printTable, when } from '../output.js';
import { need, resourceVerb, type ActionContext } from '../resource-verb.js';
import { seg } from '../target.js';
import type { InitialAccessTokenOut, RegistrationOut } from '../api-types.js';

const TOKEN_ACTIONS = 'create, list or revoke';

function printTokens(context: ActionContext, tokens: InitialAccessTokenOut[]): void {
  printTable(
    context.io,
    ['id', 'name', 'status', 'single use', 'created', 'expires'],
    tokens.map((t) => [t.id, t.name ?? '', t.status, t.singleUse ? 'yes' : 'no', when(t.createdAt), t.expiresAt === undefined ? 'never' : when(t.expiresAt)]),
    'no initial access tokens',
  );
}

async function tokens(context: ActionContext): Promise<number> {
  const [sub, ...rest] = context.positionals;
  const v = context.values;
  const target = await context.target();
  if (sub === 'list') {
    if (rest.length > 0) throw context.usage(`unexpected argument ${rest[0]}`);
    const items = (await target.call<{ items: InitialAccessTokenOut[] }>('GET', '/registration/tokens')).body.items;
    if (context.json) printJson(context.io, items);
    else printTokens(context, items);
    return 0;
  }
  if (sub === 'create') {
    if (rest.length > 0) throw context.usage(`unexpected argument ${rest[0]}`);
    const expiresText = v['expires-in'] as string | undefined;
    const expiresIn = expiresText !== undefined ? parseDuration(expiresText) : undefined;
    if (expiresText !== undefined && expiresIn === undefined) throw context.usage('--expires-in takes a duration such as 3600, 30m, 12h or 90d');
    const body = { ...(v.name !== undefined ? { name: v.name } : {}), ...(expiresIn !== undefined ? { expiresIn } : {}), singleUse: v['single-use'] === true };
    const created = (await target.call<{ token: string; initialAccessToken: InitialAccessTokenOut }>('POST', '/registration/tokens', { body })).body;
    if (context.json) return (printJson(context.io, created), 0);
    context.io.out(created.token);
    context.io.err(
      `created initial access token ${created.initialAccessToken.id}${created.initialAccessToken.singleUse ? ' (single use)' : ''}: copy it now, it is not shown again`,
    );
    return 0;
  }
  if (sub === 'revoke') {
    if (rest.length !== 1) throw context.usage("revoke takes the token's ID (from `tessera registration tokens list`)");
    await target.call('DELETE', `/registration/tokens/${seg(rest[0]!)}`);
    if (!context.json) context.io.err(`revoked initial access token ${rest[0]}`);
    return 0;
  }
  throw context.usage(sub === undefined ? `tokens takes ${TOKEN_ACTIONS}` : `tokens has no action "${sub}"; it takes ${TOKEN_ACTIONS}`);
}

export const registrationVerb = resourceVerb({
  name: 'registration',
  summary: 'dynamic client registration: whether it is open, and its initial access tokens',
  about: 'clients that register themselves (RFC 7591, docs/registration.md); the clients are listed by `tessera clients list`',
  actions: [
    {
      name: 'status',
      summary: 'show whether registration is open, and what registered clients may ask for',
      synopsis: '',
      async run(context) {
        need(context);
        const status = (await (await context.target()).call<RegistrationOut>('GET', '/registration')).body;
        if (context.json) return (printJson(context.io, status), 0);
        printRecord(context.io, [
          ['enabled', status.enabled ? `yes, at ${status.registrationEndpoint}` : 'no (set registration.enabled in the config file)'],
          ['initial access token', status.initialAccessToken],
          ['grant types', status.grantTypes.join(' ')],
          ['auth methods', status.tokenEndpointAuthMethods.join(' ')],
          ['apis', status.apis ?? ['every API but the management API']],
          ['scopes', status.scopes?.join(' ') ?? 'all of theirs'],
          ['redirect uris', `${status.redirectUriSchemes.join(' ')} (private-use schemes: ${status.privateUseSchemes})`],
          ['throttle', `${status.maxPerAddress} per address per ${status.throttleWindow} s`],
        ]);
        return 0;
      },
    },
    {
      name: 'tokens',
      summary: 'create, list or revoke initial access tokens (holders may register clients)',
      synopsis: 'create [--name NAME] [--expires-in 7d] [--single-use] | list | revoke ID',
      details: `  create        prints a new token once; send it as "Authorization: Bearer" to POST /register
    --name NAME       who it is for
    --expires-in D    a duration such as 3600, 30m, 12h or 7d (default: does not expire)
    --single-use      it registers one client, then stops working
  list          the tokens, by id, with their state (never the tokens themselves)
  revoke ID     stops a token working; clients it registered stay`,
      flags: { name: { type: 'string' }, 'expires-in': { type: 'string' }, 'single-use': { type: 'boolean' } },
      run: tokens,
    },
  ],
});
