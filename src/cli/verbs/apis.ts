/** `tessera apis`: the APIs (resource servers) tokens are issued for, and their scopes. */
import { crudActions, type FieldFlags } from '../crud-actions.js';
import { duration, printRecord } from '../output.js';
import { BODY_FLAGS, BODY_HELP, resourceVerb, type ActionContext } from '../resource-verb.js';
import type { Io } from './verb.js';
import type { ApiOut } from '../api-types.js';

/** The fields of an API as flags: how they parse, what `--help` says, what they set. */
const FIELDS: FieldFlags = {
  flags: {
    name: { type: 'string' },
    scope: { type: 'string', multiple: true },
    format: { type: 'string' },
    ttl: { type: 'string' },
    alg: { type: 'string' },
    ...BODY_FLAGS,
  },
  help: `  --name NAME             display name
  --scope NAME[=TEXT]     a scope and its description (repeat; or "a b c" without descriptions)
  --format jwt|reference  the token format (default jwt): JWTs are checked by the API on its
                          own, reference tokens through introspection
  --ttl DURATION          access-token lifetime: 3600, 15m, 1h (default 1h)
  --alg ES256|RS256|EdDSA the JWT signing algorithm (default ES256)
${BODY_HELP}`,
  apply: (context, body) => applyFlags(context, body),
};

/** `--scope "read:x=Read x"` or `--scope "read:x write:x"`. */
function scopesFrom(values: string[]): { name: string; description: string }[] {
  return values.flatMap((value) => {
    const eq = value.indexOf('=');
    if (eq > 0) return [{ name: value.slice(0, eq).trim(), description: value.slice(eq + 1).trim() }];
    return value
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((name) => ({ name, description: '' }));
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

/** `--add-scope` and `--remove-scope` change the list instead of replacing it. */
function changeScopes(context: ActionContext, body: Record<string, unknown>): void {
  const add = scopesFrom((context.values['add-scope'] as string[] | undefined) ?? []);
  const remove = new Set(((context.values['remove-scope'] as string[] | undefined) ?? []).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean));
  if (add.length > 0 || remove.size > 0) {
    const scopes = (body.scopes as ApiOut['scopes']).filter((s) => !remove.has(s.name) && !add.some((a) => a.name === s.name));
    body.scopes = [...scopes, ...add];
  }
}

const actions = crudActions<ApiOut>({
  path: '/apis',
  noun: 'API',
  none: 'no APIs',
  arg: 'IDENTIFIER',
  idField: 'identifier',
  fields: FIELDS,
  show,
  table: {
    columns: ['identifier', 'name', 'format', 'ttl', 'alg', 'scopes'],
    row: (a) => [a.identifier, a.name, a.format, duration(a.ttl), a.alg, a.scopes.map((s) => s.name).join(' ')],
  },
  summaries: {
    create: 'register an API',
    list: 'list APIs',
    get: 'show an API',
    update: 'change an API: the fields given change, the others stay',
    delete: 'delete an API (tokens already issued for it lapse with their lifetime)',
  },
  synopses: {
    create: 'IDENTIFIER --name NAME [--scope NAME[=TEXT] ...] [--format jwt|reference] [--ttl 1h] [--alg ES256]',
    update: 'IDENTIFIER [--name NAME] [--scope ... | --add-scope NAME[=TEXT] ... --remove-scope NAME ...] [--format] [--ttl] [--alg]',
  },
  details: {
    create: "IDENTIFIER is the API's audience (aud), an absolute URI such as https://api.example.com.",
    update: '  --scope replaces the whole list; --add-scope and --remove-scope change it.',
  },
  updateFlags: { flags: { 'add-scope': { type: 'string', multiple: true }, 'remove-scope': { type: 'string', multiple: true } }, apply: changeScopes },
});

export const apisVerb = resourceVerb({
  name: 'apis',
  summary: 'create, list, show, change and delete APIs and their scopes',
  about: 'the APIs (resource servers) tokens are issued for, and their scopes',
  actions: [actions.create, actions.list, actions.get, actions.update, actions.delete],
});
