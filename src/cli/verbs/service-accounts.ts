/** `tessera service-accounts`: the non-human identities that hold service access tokens. */
import { crudActions } from '../crud-actions.js';
import { printJson, printRecord, when } from '../output.js';
import { findServiceAccount, type ServiceAccountOut } from '../resolve.js';
import { BODY_FLAGS, BODY_HELP, bodyFrom, listFlag, need, resourceVerb, type ActionContext } from '../resource-verb.js';
import { seg } from '../target.js';
import type { Io } from './verb.js';

const FIELD_FLAGS = {
  role: { type: 'string', multiple: true },
  description: { type: 'string' },
  active: { type: 'boolean' },
  inactive: { type: 'boolean' },
  ...BODY_FLAGS,
} as const;

const FIELD_HELP = `  --role ROLE           a role (repeat, or "a b"); replaces the list on update
  --description TEXT    ("" removes it)
  --active, --inactive  an inactive account's tokens stop working
${BODY_HELP}`;

function applyFlags(context: ActionContext, body: Record<string, unknown>): void {
  const v = context.values;
  if (v.active && v.inactive) throw context.usage('give --active or --inactive, not both');
  if (v.active) body.active = true;
  if (v.inactive) body.active = false;
  if (v.description === '') delete body.description;
  else if (v.description !== undefined) body.description = v.description;
  const roles = listFlag(v.role);
  if (roles) body.roles = roles;
  const add = listFlag(v['add-role']);
  const remove = listFlag(v['remove-role']);
  if (add || remove) body.roles = [...new Set([...((body.roles as string[] | undefined) ?? []).filter((r) => !remove?.includes(r)), ...(add ?? [])])];
}

function show(io: Io, a: ServiceAccountOut): void {
  printRecord(io, [
    ['name', a.name],
    ['id', a.id],
    ['description', a.description],
    ['active', a.active ? 'yes' : 'no'],
    ['roles', a.roles.join(' ')],
    ['created', when(a.createdAt)],
  ]);
}

const NAME_ARG = "NAME is the service account's name or id.";

/** List and update; create, get and delete say more than the generated ones (the id, the tokens revoked). */
const actions = crudActions<ServiceAccountOut>({
  path: '/service-accounts',
  noun: 'service account',
  none: 'no service accounts',
  arg: 'NAME',
  idField: 'name',
  resolve: async (target, ref) => (await findServiceAccount(target, ref)).id,
  argHelp: NAME_ARG,
  fields: { flags: FIELD_FLAGS, help: FIELD_HELP, apply: applyFlags },
  show,
  table: { columns: ['name', 'active', 'roles', 'description', 'id'], row: (a) => [a.name, a.active ? 'yes' : 'no', a.roles.join(' '), a.description, a.id] },
  editable: ({ id: _id, createdAt: _c, ...input }) => input,
  summaries: {
    create: 'create a service account',
    list: 'list service accounts',
    get: 'show a service account',
    update: 'change roles, description or activation (an account cannot be renamed)',
    delete: 'delete a service account; its tokens stop at once',
  },
  synopses: {
    create: 'NAME [--role ROLE ...] [--description TEXT] [--inactive]',
    update: 'NAME [--role ROLE ... | --add-role R --remove-role R] [--description TEXT] [--active|--inactive]',
  },
  details: { update: '  --add-role ROLE, --remove-role ROLE   change the list instead of replacing it' },
  updateNote: 'The account is read, changed and written back with If-Match (412 if it changed meanwhile).',
  // applyFlags reads --add-role and --remove-role too.
  updateFlags: { flags: { 'add-role': { type: 'string', multiple: true }, 'remove-role': { type: 'string', multiple: true } }, apply: () => {} },
});

export const serviceAccountsVerb = resourceVerb({
  name: 'service-accounts',
  summary: 'create, list, show, change and delete service accounts',
  about: 'non-human identities ("system users"): they have roles, never sign in, and act through service access tokens (tessera tokens create sat)',
  actions: [
    {
      name: 'create',
      summary: 'create a service account',
      synopsis: 'NAME [--role ROLE ...] [--description TEXT] [--inactive]',
      details: FIELD_HELP,
      flags: FIELD_FLAGS,
      async run(context) {
        if (context.positionals.length > 1) throw context.usage(`unexpected argument ${context.positionals[1]}`);
        const body: Record<string, unknown> = { ...bodyFrom(context) };
        if (context.positionals[0] !== undefined) body.name = context.positionals[0];
        if (body.name === undefined) throw context.usage('missing NAME');
        applyFlags(context, body);
        const account = (await (await context.target()).call<ServiceAccountOut>('POST', '/service-accounts', { body })).body;
        if (context.json) return (printJson(context.io, account), 0);
        context.io.out(`service account ${account.name} (${account.id}) with roles: ${account.roles.join(', ') || 'none'}`);
        return 0;
      },
    },
    actions.list,
    {
      name: 'get',
      summary: 'show a service account',
      synopsis: 'NAME',
      details: NAME_ARG,
      async run(context) {
        const [ref] = need(context, 'NAME');
        const account = await findServiceAccount(await context.target(), ref!);
        if (context.json) printJson(context.io, account);
        else show(context.io, account);
        return 0;
      },
    },
    actions.update,
    {
      name: 'delete',
      summary: 'delete a service account; its tokens stop at once',
      synopsis: 'NAME',
      details: NAME_ARG,
      async run(context) {
        const [ref] = need(context, 'NAME');
        const target = await context.target();
        const account = await findServiceAccount(target, ref!);
        const result = (await target.call<{ revoked: number }>('DELETE', `/service-accounts/${seg(account.id)}`)).body;
        if (context.json) printJson(context.io, { deleted: account.id, name: account.name, revoked: result.revoked });
        else context.io.out(`deleted ${account.name}; revoked ${result.revoked} token(s)`);
        return 0;
      },
    },
  ],
});
