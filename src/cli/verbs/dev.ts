/**
 * `tessera dev mint|inspect`: developer tools for test tokens. Its old name, `tessera
 * token` (one letter from `tessera tokens`, the credentials), still works for a release.
 */
import { parseDuration } from '../../core/config/duration.js';
import { cliActor } from '../cli-actor.js';
import { inspectToken, type Inspection } from '../../devtools/inspect-token.js';
import { mint, CLI_CLIENT_ID } from '../dev/mint.js';
import { printJson, printRecord, relativeTime, when, type Cell } from '../output.js';
import { listFlag, readStdin, resourceVerb, upTo, type ActionContext } from '../resource-verb.js';
import type { Io } from './verb.js';

async function clientSecret(context: ActionContext): Promise<string | undefined> {
  if (context.values['client-secret-stdin']) return readStdin();
  return process.env.TESSERA_CLIENT_SECRET || undefined;
}

const claimTime = (value: unknown) => (typeof value === 'number' ? `${when(value)} (${relativeTime(value, Math.floor(Date.now() / 1000))})` : undefined);

function printInspection(io: Io, i: Inspection): void {
  const pairs: [string, Cell | Cell[]][] = [['token', i.token]];
  if (i.format === 'opaque') pairs.push(['format', `opaque${i.prefix ? `, prefix ${i.prefix}` : ''}`]);
  if (i.checksum) pairs.push(['checksum', i.checksum]);
  else if (i.format === 'jwt') pairs.push(['format', 'JWT']);
  else if (i.format === 'hex') pairs.push(['format', '40 hex characters']);
  if (i.kind) pairs.push(['kind', i.kind]);
  if (i.header) pairs.push(['header', JSON.stringify(i.header)]);
  if (i.claims) {
    const c = i.claims;
    pairs.push(
      ['issuer', c.iss as string | undefined],
      ['subject', c.sub as string | undefined],
      ['audience', Array.isArray(c.aud) ? c.aud.join(' ') : (c.aud as string | undefined)],
      ['client', c.client_id as string | undefined],
      ['scopes', c.scope as string | undefined],
      ['issued', claimTime(c.iat)],
      ['expires', claimTime(c.exp)],
      ['jti', c.jti as string | undefined],
    );
    const shown = new Set(['iss', 'sub', 'aud', 'client_id', 'scope', 'iat', 'exp', 'jti']);
    const other = Object.entries(c).filter(([k]) => !shown.has(k));
    if (other.length > 0) pairs.push(['other claims', other.map(([k, v]) => `${k}: ${JSON.stringify(v)}`)]);
  }
  if (i.record) {
    const r = i.record;
    pairs.push(['id', r.id as string]);
    if (r.name !== undefined) pairs.push(['name', r.name as string]);
    pairs.push(r.owner !== undefined ? ['owner', `${String(r.owner)} (${String(r.subject)})`] : ['subject', r.subject as string]);
    if (r.clientId !== undefined) pairs.push(['client', r.clientId as string]);
    if (r.api !== undefined) pairs.push(['api', r.api as string]);
    if ((r.scopes as string[]).length > 0) pairs.push(['scopes', (r.scopes as string[]).join(' ')]);
    if (r.endpoints !== undefined) pairs.push(['endpoints', r.endpoints as string[]]);
    pairs.push(
      ['issued', claimTime(r.issuedAt)],
      ['expires', r.expiresAt === undefined ? 'never' : claimTime(r.expiresAt)],
      ['last used', when(r.lastUsedAt as number | undefined)],
    );
    if (r.revokedAt !== undefined) pairs.push(['revoked', claimTime(r.revokedAt)]);
  } else if (i.introspection && i.introspection.active === true && !i.claims) {
    const a = i.introspection;
    pairs.push(
      ['subject', `${String(a.username ?? a.service_account ?? a.sub)}`],
      ['api', a.aud as string | undefined],
      ['scopes', a.scope as string | undefined],
      ['expires', a.exp === undefined ? 'never' : claimTime(a.exp)],
    );
  }
  if (i.introspection) pairs.push(['introspection', i.introspection.active === true ? 'active' : 'not active']);
  pairs.push(['verdict', i.valid === true ? 'VALID' : i.valid === false ? 'NOT VALID' : 'UNKNOWN']);
  if (i.reasons.length > 0) pairs.push([i.valid === false ? 'why' : 'because', i.reasons]);
  if (i.notes.length > 0) pairs.push(['notes', i.notes]);
  printRecord(io, pairs);
}

export const devVerb = resourceVerb({
  name: 'dev',
  summary: 'developer tools: mint a test token, inspect any token',
  about: 'developer tools: mint test tokens, and explain why a token is or is not valid',
  hint: (action) => (['create', 'list', 'get', 'revoke', 'revoke-all'].includes(action) ? `did you mean \`tessera tokens ${action}\`?` : undefined),
  actions: [
    {
      name: 'mint',
      summary: 'mint a test access token for a client, a user or an API',
      synopsis: '--client ID [--api URL] [--scope "a b"] | --user USER --api URL [--scope "a b"] [--client ID] | --api URL [--scope "a b"] [--subject S]',
      details: `  --client ID        as the client itself (client_credentials: scopes within the client's
                     permissions on the API; default all of them, on the client's own API)
  --user USER        for a user (username or id): scopes within the user's roles on --api
                     (default all of them); with --client, also within what that client
                     may ask users for, and client_id is that client (else ${CLI_CLIENT_ID})
  --api URL          the API (audience); alone, a token for a test --subject with any of
                     the API's scopes (default all), client_id ${CLI_CLIENT_ID}
  --scope "a b"      the scopes (repeat, or space-separated)
  --ttl DURATION     lifetime: 300, 15m, 1h (default and at most the API's token lifetime)
  --format jwt|reference   (default: the API's format)
  --client-secret-stdin    the client's secret, through a server (else TESSERA_CLIENT_SECRET)

With the local store the token is issued in-process by the engine, with the checks of
the real flow, and audited as token.issued. Through a server (--server), nothing is
signed on the side: --client makes a real client_credentials request to the server's
/token (it needs the client's secret); --user creates a personal access token for
the user through the management API (write:tokens), expiring with --ttl (default 1h),
revocable with \`tessera tokens revoke ID\`; --api alone is refused.

The token alone goes to standard output; what it is, to standard error.`,
      flags: {
        client: { type: 'string' },
        user: { type: 'string' },
        api: { type: 'string' },
        scope: { type: 'string', multiple: true },
        ttl: { type: 'string' },
        format: { type: 'string' },
        subject: { type: 'string' },
        'client-secret-stdin': { type: 'boolean' },
      },
      async run(context) {
        upTo(context);
        const v = context.values;
        const ttlText = v.ttl as string | undefined;
        const ttl = ttlText !== undefined ? parseDuration(ttlText) : undefined;
        if (ttlText !== undefined && ttl === undefined) throw context.usage('--ttl takes a duration such as 300, 15m or 1h');
        if (v.format !== undefined && v.format !== 'jwt' && v.format !== 'reference') throw context.usage('--format must be jwt or reference');
        if (v.subject !== undefined && (v.user !== undefined || v.client !== undefined))
          throw context.usage('--subject is for a token for an API alone (without --user or --client)');
        const secret = await clientSecret(context);
        const scopes = listFlag(v.scope);
        const minted = await mint(
          await context.target(),
          {
            ...(v.client !== undefined ? { client: v.client as string } : {}),
            ...(v.user !== undefined ? { user: v.user as string } : {}),
            ...(v.api !== undefined ? { api: v.api as string } : {}),
            ...(scopes ? { scopes } : {}),
            ...(ttl !== undefined ? { ttl } : {}),
            ...(v.format !== undefined ? { format: v.format as 'jwt' | 'reference' } : {}),
            ...(v.subject !== undefined ? { subject: v.subject as string } : {}),
            ...(secret !== undefined ? { clientSecret: secret } : {}),
          },
          cliActor(),
        );
        if (context.json) return (printJson(context.io, minted), 0);
        context.io.out(minted.token);
        context.io.err(`${minted.how}; scopes: ${minted.scopes.join(' ') || 'none'}; expires ${when(minted.expiresAt)}`);
        return 0;
      },
    },
    {
      name: 'inspect',
      summary: 'decode a token and explain why it is or is not valid',
      synopsis: 'TOKEN | - [--client ID [--client-secret-stdin]]',
      details: `TOKEN is a JWT, a tsr_ token (PAT, SAT, reference access token, refresh token) or a
40-hex user or action token; "-" reads it from standard input (keeps it out of shell
history). Prints the format, a JWT's header and claims, an opaque token's prefix and
checksum, what it is and a verdict: VALID, or NOT VALID and why (expired at ...,
revoked at ..., wrong checksum, unknown key id, owner inactive, ...).

With the local store the verdict is the engine's own check (the one introspection
runs; inspecting does not count as a use). Through a server, JWTs are checked against
its JWKS and issuer; for revocation and for opaque tokens give --client ID (a client
allowed to introspect, e.g. introspection: any) and its secret in TESSERA_CLIENT_SECRET
or --client-secret-stdin, to ask the server's /introspect.

Exit code: 0 when the token is valid, 1 when it is not (or that cannot be told).`,
      flags: { client: { type: 'string' }, 'client-secret-stdin': { type: 'boolean' } },
      async run(context) {
        const [given] = upTo(context, 'TOKEN');
        if (given === undefined) throw context.usage('missing TOKEN (or - to read it from standard input)');
        if (given === '-' && context.values['client-secret-stdin']) throw context.usage('standard input can carry the token or the client secret, not both');
        const token = given === '-' ? await readStdin() : given;
        const secret = await clientSecret(context);
        const client = context.values.client as string | undefined;
        const target = await context.target();
        if (client !== undefined && target.engine) throw context.usage("--client is for asking a server's introspection endpoint; the local store needs none");
        if (client !== undefined && secret === undefined) throw context.usage('--client needs its secret: TESSERA_CLIENT_SECRET or --client-secret-stdin');
        const source = target.engine
          ? { engine: target.engine }
          : { server: target.server!, ...(client !== undefined && secret !== undefined ? { client: { id: client, secret } } : {}) };
        const inspection = await inspectToken(token, source);
        if (context.json) printJson(context.io, inspection);
        else printInspection(context.io, inspection);
        return inspection.valid === true ? 0 : 1;
      },
    },
  ],
});
