/** `tessera apis`: the APIs (resource servers) tokens are issued for, and their scopes. */
import { duration, printJson, printRecord, printTable } from '../output.js';
import { BODY_FLAGS, BODY_HELP, bodyFrom, need, resourceVerb, type ActionContext } from '../resource-verb.js';
import { listAll, seg } from '../target.js';
import type { Io } from './verb.js';
import type { ApiOut } from '../api-types.js';

const FIELD_FLAGS = {
  name: { type: 'string' },
  scope: { type: 'string', multiple: true },
  format: { type: 'string' },
  ttl: { type: 'string' },
  alg: { type: 'string' },
  ...BODY_FLAGS,
} as const;

const FIELD_HELP = `  --name NAME             display name
  --scope NAME[=TEXT]     a scope and its description (repeat; or "a b c" without descriptions)
  --format jwt|reference  the token format (default jwt): JWTs are checked by the API on its
                          own, reference tokens through introspection
  --ttl DURATION          access-token lifetime: 3600, 15m, 1h (default 1h)
  --alg ES256|RS256|EdDSA the JWT signing algorithm (default ES256)
${BODY_HELP}`;

/** `--scope "read:x=Read x"` or `--scope "read:x write:x"`. */
function scopesFrom(values: string[]): { name: string; description: string }[] {
  return values.flatMap((value) => {
    const eq = value.indexOf('=');
    if (eq > 0) return [{ name: value.slice(0, eq).trim(), description: value.slice(eq + 1).trim() }];
    return value.split(/[\s,]+/).filter(Boolean).map((name) => ({ name, description: '' }));
  });
}

const ttlValue = (ttl: string) => (/^\d+$/.test(ttl) ? Number(ttl) : ttl);

function applyFlags(context: ActionContext, body: Record<string, unknown>): void {
  const v = context.values;
  if (v.name !== undefined) body.name = v.name;
  if (v.format !== undefined) body.format = v.format;
  if (v.ttl !== undefined) body.ttl = ttlValue(v.ttl as string);
  if (v.alg !== undefined) body.alg = v.alg;
  if (v.scope !== undefined) body.scopes = scopesFrom(v.scope as string[]);
}

function show(io: Io, api: ApiOut): void {
  const width = Math.max(0, ...api.scopes.map((s) => s.name.length));
  printRecord(io, [
    ['identifier', api.identifier],
    ['name', api.name],
    ['format', api.format],
    ['ttl', duration(api.ttl)],
    ['alg', api.alg],
    ['scopes', api.scopes.map((s) => `${s.name.padEnd(width)}  ${s.description}`.trimEnd())],
  ]);
}

async function write(context: ActionContext, api: ApiOut, verb: string): Promise<number> {
  if (context.json) printJson(context.io, api);
  else {
    context.io.err(`${verb} API ${api.identifier}`);
    show(context.io, api);
  }
  return 0;
}

export const apisVerb = resourceVerb({
  name: 'apis',
  summary: 'create, list, show, change and delete APIs and their scopes',
  about: 'the APIs (resource servers) tokens are issued for, and their scopes',
  actions: [
    {
      name: 'create',
      summary: 'register an API',
      synopsis: 'IDENTIFIER --name NAME [--scope NAME[=TEXT] ...] [--format jwt|reference] [--ttl 1h] [--alg ES256]',
      details: `IDENTIFIER is the API's audience (aud), an absolute URI such as https://api.example.com.\n${FIELD_HELP}`,
      flags: FIELD_FLAGS,
      async run(context) {
        const [identifier] = context.positionals;
        if (context.positionals.length > 1) throw context.usage(`unexpected argument ${context.positionals[1]}`);
        const body: Record<string, unknown> = { ...bodyFrom(context) };
        if (identifier !== undefined) body.identifier = identifier;
        if (body.identifier === undefined) throw context.usage('missing IDENTIFIER');
        applyFlags(context, body);
        const target = await context.target();
        const created = await target.call<ApiOut>('POST', '/apis', { body });
        return write(context, created.body, 'created');
      },
    },
    {
      name: 'list',
      summary: 'list APIs',
      synopsis: '',
      async run(context) {
        need(context);
        const apis = await listAll<ApiOut>(await context.target(), '/apis');
        if (context.json) return printJson(context.io, apis), 0;
        printTable(
          context.io,
          ['identifier', 'name', 'format', 'ttl', 'alg', 'scopes'],
          apis.map((a) => [a.identifier, a.name, a.format, duration(a.ttl), a.alg, a.scopes.map((s) => s.name).join(' ')]),
          'no APIs',
        );
        return 0;
      },
    },
    {
      name: 'get',
      summary: 'show an API',
      synopsis: 'IDENTIFIER',
      async run(context) {
        const [identifier] = need(context, 'IDENTIFIER');
        const api = (await (await context.target()).call<ApiOut>('GET', `/apis/${seg(identifier!)}`)).body;
        if (context.json) printJson(context.io, api);
        else show(context.io, api);
        return 0;
      },
    },
    {
      name: 'update',
      summary: 'change an API: the fields given change, the others stay',
      synopsis: 'IDENTIFIER [--name NAME] [--scope ... | --add-scope NAME[=TEXT] ... --remove-scope NAME ...] [--format] [--ttl] [--alg]',
      details: `${FIELD_HELP}
  --scope replaces the whole list; --add-scope and --remove-scope change it.
The API is read, changed and written back with If-Match: if someone changed it in
between, nothing is written and the command fails (412); run it again.`,
      flags: { ...FIELD_FLAGS, 'add-scope': { type: 'string', multiple: true }, 'remove-scope': { type: 'string', multiple: true } },
      async run(context) {
        const [identifier] = need(context, 'IDENTIFIER');
        const target = await context.target();
        const path = `/apis/${seg(identifier!)}`;
        const current = await target.call<ApiOut>('GET', path);
        const body: Record<string, unknown> = { ...current.body, ...bodyFrom(context) };
        applyFlags(context, body);
        const add = scopesFrom((context.values['add-scope'] as string[] | undefined) ?? []);
        const remove = new Set(((context.values['remove-scope'] as string[] | undefined) ?? []).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean));
        if (add.length > 0 || remove.size > 0) {
          const scopes = (body.scopes as ApiOut['scopes']).filter((s) => !remove.has(s.name) && !add.some((a) => a.name === s.name));
          body.scopes = [...scopes, ...add];
        }
        const updated = await target.call<ApiOut>('PUT', path, { body, ...(current.etag ? { ifMatch: current.etag } : {}) });
        return write(context, updated.body, 'updated');
      },
    },
    {
      name: 'delete',
      summary: 'delete an API (tokens already issued for it lapse with their lifetime)',
      synopsis: 'IDENTIFIER',
      async run(context) {
        const [identifier] = need(context, 'IDENTIFIER');
        await (await context.target()).call('DELETE', `/apis/${seg(identifier!)}`);
        if (context.json) printJson(context.io, { deleted: identifier });
        else context.io.out(`deleted API ${identifier}`);
        return 0;
      },
    },
  ],
});
