/** `tessera tokens`: create, list, show and revoke personal, service, user and action tokens. */
import { parseDuration } from '../../core/config/duration.js';
import type { TokenSummary } from '../../core/credentials/token-summary.js';
import { printJson, printRecord, printTable, when } from '../output.js';
import { findUser, serviceAccountId, userId } from '../resolve.js';
import { listFlag, need, resourceVerb, type ActionContext } from '../resource-verb.js';
import { listAll, seg } from '../target.js';
import type { Io } from './verb.js';

const KINDS: Record<string, TokenSummary['kind']> = {
  pat: 'personal_access_token',
  sat: 'service_access_token',
  'user-token': 'user_token',
  'action-token': 'action_token',
};

const access = (t: TokenSummary) => (t.endpoints ? t.endpoints.join(', ') : `${t.api ?? ''} ${t.scopes.join(' ')}`.trim() || 'all access');
const state = (t: TokenSummary) =>
  t.revokedAt !== undefined ? 'revoked' : t.expiresAt !== undefined && t.expiresAt * 1000 <= Date.now() ? 'expired' : 'active';

function show(io: Io, t: TokenSummary): void {
  printRecord(io, [
    ['id', t.id],
    ['kind', t.kind],
    ['name', t.name],
    ['state', state(t)],
    ['subject', t.subject],
    ['api', t.api],
    ['scopes', t.scopes.join(' ')],
    ...(t.endpoints ? ([['endpoints', t.endpoints]] as [string, string[]][]) : []),
    ...(t.dpopJkt ? ([['DPoP key (jkt)', t.dpopJkt]] as [string, string][]) : []),
    ['created', when(t.createdAt)],
    ['expires', t.expiresAt === undefined ? 'never' : when(t.expiresAt)],
    ['last used', when(t.lastUsedAt)],
    ['revoked', when(t.revokedAt)],
  ]);
}

const subjectFlags = { user: { type: 'string' }, 'service-account': { type: 'string' } } as const;

async function subjectQuery(context: ActionContext): Promise<Record<string, string>> {
  const user = context.values.user as string | undefined;
  const account = context.values['service-account'] as string | undefined;
  if ((user === undefined) === (account === undefined)) throw context.usage('give --user NAME or --service-account NAME');
  const target = await context.target();
  return user !== undefined ? { userId: await userId(target, user) } : { serviceAccountId: await serviceAccountId(target, account!) };
}

export const tokensVerb = resourceVerb({
  name: 'tokens',
  summary: 'create, list, show and revoke PATs, SATs, user tokens and action tokens',
  about: 'long-lived credentials: personal and service access tokens, user tokens and action tokens',
  hint: (action) => (action === 'mint' || action === 'inspect' ? `did you mean \`tessera dev ${action}\`?` : undefined),
  actions: [
    {
      name: 'create',
      summary: 'create a token; it is printed once (only its hash is stored)',
      synopsis: `pat --user USER --api URL --scope "a b" --name LABEL [--expires-in 90d] [--dpop-jkt THUMBPRINT]
tessera tokens create sat --service-account NAME --api URL --scope "a b" --name LABEL [--expires-in 90d] [--dpop-jkt THUMBPRINT]
tessera tokens create user-token --user USER
tessera tokens create action-token --user USER --name LABEL --endpoint "GET /calendars/*/events" [--endpoint ...]`,
      details: `PAT and SAT scopes must lie within the owner's roles on the API. A user token
(Authorization: Token <hex>) is the user's own key, one per user: creating a new one
revokes the old. An action token (Authorization: ActionToken <hex>) works only on the
endpoints listed. With --dpop-jkt (the RFC 7638 SHA-256 thumbprint of a public key), a
PAT or SAT is bound to that key (RFC 9449): it works only as \`Authorization: DPoP <token>\`
with a DPoP proof signed by the key. The token alone goes to standard output.`,
      flags: {
        ...subjectFlags,
        api: { type: 'string' },
        scope: { type: 'string', multiple: true },
        name: { type: 'string' },
        'expires-in': { type: 'string' },
        'dpop-jkt': { type: 'string' },
        endpoint: { type: 'string', multiple: true },
      },
      async run(context) {
        const [what] = need(context, 'pat|sat|user-token|action-token');
        const kind = KINDS[what!];
        if (!kind) throw context.usage('create takes pat, sat, user-token or action-token');
        const v = context.values;
        const expiresText = v['expires-in'] as string | undefined;
        const expiresIn = expiresText !== undefined ? parseDuration(expiresText) : undefined;
        if (expiresText !== undefined && expiresIn === undefined) throw context.usage('--expires-in takes a duration such as 3600, 30m, 12h or 90d');
        const needUser = () => {
          if (v.user === undefined) throw context.usage('--user is required');
          return v.user as string;
        };
        const scoped = () => {
          const scopes = listFlag(v.scope);
          if (v.api === undefined || !scopes || v.name === undefined) throw context.usage('--api, --scope and --name are required');
          const jkt = v['dpop-jkt'] as string | undefined;
          return {
            name: v.name as string,
            api: v.api as string,
            scopes,
            ...(expiresIn !== undefined ? { expiresIn } : {}),
            ...(jkt !== undefined ? { dpopJkt: jkt } : {}),
          };
        };
        let body: Record<string, unknown>;
        if (kind === 'personal_access_token') body = { kind, ...scoped(), userId: await userId(await context.target(), needUser()) };
        else if (kind === 'service_access_token') {
          if (v['service-account'] === undefined) throw context.usage('--service-account is required');
          body = { kind, ...scoped(), serviceAccountId: await serviceAccountId(await context.target(), v['service-account'] as string) };
        } else if (kind === 'user_token') body = { kind, userId: await userId(await context.target(), needUser()) };
        else {
          const endpoints = v.endpoint as string[] | undefined;
          if (v.name === undefined || !endpoints?.length) throw context.usage('--name and at least one --endpoint are required');
          body = { kind, name: v.name, endpoints, userId: await userId(await context.target(), needUser()) };
        }
        const created = (await (await context.target()).call<{ token: string; summary: TokenSummary }>('POST', '/tokens', { body })).body;
        if (context.json) return (printJson(context.io, created), 0);
        context.io.out(created.token);
        context.io.err(`created ${created.summary.kind} ${created.summary.id}; copy the token now: it is not shown again`);
        return 0;
      },
    },
    {
      name: 'list',
      summary: "list a user's or service account's tokens (never the secrets)",
      synopsis: '--user USER | --service-account NAME [--kind pat|sat|user-token|action-token] [--active | --revoked]',
      flags: { ...subjectFlags, kind: { type: 'string' }, active: { type: 'boolean' }, revoked: { type: 'boolean' } },
      async run(context) {
        need(context);
        const v = context.values;
        const kind = v.kind === undefined ? undefined : KINDS[v.kind as string];
        if (v.kind !== undefined && !kind) throw context.usage('--kind takes pat, sat, user-token or action-token');
        if (v.active && v.revoked) throw context.usage('give --active or --revoked, not both');
        const query = { ...(await subjectQuery(context)), kind, revoked: v.revoked ? 'true' : v.active ? 'false' : undefined };
        const tokens = await listAll<TokenSummary>(await context.target(), '/tokens', query);
        if (context.json) return (printJson(context.io, tokens), 0);
        printTable(
          context.io,
          ['id', 'kind', 'state', 'name', 'access', 'created', 'expires', 'last used'],
          tokens.map((t) => [
            t.id,
            t.kind,
            state(t),
            t.name,
            access(t),
            when(t.createdAt),
            t.expiresAt === undefined ? 'never' : when(t.expiresAt),
            when(t.lastUsedAt),
          ]),
          'no tokens',
        );
        return 0;
      },
    },
    {
      name: 'get',
      summary: 'show a token (never the secret)',
      synopsis: 'ID',
      async run(context) {
        const [id] = need(context, 'ID');
        const token = (await (await context.target()).call<TokenSummary>('GET', `/tokens/${seg(id!)}`)).body;
        if (context.json) printJson(context.io, token);
        else show(context.io, token);
        return 0;
      },
    },
    {
      name: 'revoke',
      summary: 'revoke a token by id (see tokens list)',
      synopsis: 'ID',
      async run(context) {
        const [id] = need(context, 'ID');
        await (await context.target()).call('DELETE', `/tokens/${seg(id!)}`);
        if (context.json) printJson(context.io, { revoked: id });
        else context.io.out(`revoked ${id}`);
        return 0;
      },
    },
    {
      name: 'revoke-all',
      summary: 'revoke every token, consent and session of a user (= users revoke-everything)',
      synopsis: '--user USER',
      flags: { user: subjectFlags.user },
      async run(context) {
        need(context);
        if (context.values.user === undefined) throw context.usage('--user is required');
        const target = await context.target();
        const user = await findUser(target, context.values.user as string);
        const result = (await target.call<{ revoked: number; consents?: number }>('POST', `/users/${seg(user.id)}/revoke-everything`)).body;
        if (context.json) printJson(context.io, result);
        else context.io.out(`revoked ${result.revoked} token(s) and ${result.consents ?? 0} consent(s); every session of ${user.username} has ended`);
        return 0;
      },
    },
  ],
});
