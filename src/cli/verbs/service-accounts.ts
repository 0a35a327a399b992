/** `tessera service-accounts`: the non-human identities that hold service access tokens. */
import { crudActions } from '../crud-actions.js';
import { printRecord, when } from '../output.js';
import { findServiceAccount, type ServiceAccountOut } from '../resolve.js';
import { BODY_FLAGS, BODY_HELP, listFlag, resourceVerb, type ActionContext } from '../resource-verb.js';
import { ROLE_CHANGE_HELP, roleChangeFlags } from '../role-changes.js';
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

/** The five actions from one description; an account is named by its name or id. */
const actions = crudActions<ServiceAccountOut>({
  path: '/service-accounts',
  noun: 'service account',
  none: 'no service accounts',
  arg: 'NAME',
  idField: 'name',
  find: findServiceAccount,
  pathId: (a) => a.id,
  argHelp: NAME_ARG,
  fields: { flags: FIELD_FLAGS, help: FIELD_HELP, apply: applyFlags },
  show,
  created: (io, a) => io.out(`service account ${a.name} (${a.id}) with roles: ${a.roles.join(', ') || 'none'}`),
  deleted: (_ref, a, result) => {
    const { revoked } = result as { revoked: number };
    return { json: { deleted: a!.id, name: a!.name, revoked }, text: `deleted ${a!.name}; revoked ${revoked} token(s)` };
  },
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
  details: { update: ROLE_CHANGE_HELP },
  updateNote: 'The account is read, changed and written back with If-Match (412 if it changed meanwhile).',
  updateFlags: roleChangeFlags,
});

export const serviceAccountsVerb = resourceVerb({
  name: 'service-accounts',
  summary: 'create, list, show, change and delete service accounts',
  about: 'non-human identities ("system users"): they have roles, never sign in, and act through service access tokens (tessera tokens create sat)',
  actions: [actions.create, actions.list, actions.get, actions.update, actions.delete],
});
