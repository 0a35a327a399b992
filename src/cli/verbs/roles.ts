/** `tessera roles`: named bundles of permissions on APIs, given to users and service accounts. */
import { crudActions } from '../crud-actions.js';
import { permissionLines, printRecord } from '../output.js';
import { BODY_FLAGS, BODY_HELP, resourceVerb, type ActionContext } from '../resource-verb.js';
import type { Io } from './verb.js';
import type { RoleOut } from '../api-types.js';

function applyFlags(context: ActionContext, body: Record<string, unknown>): void {
  const v = context.values;
  if (v.description === '') delete body.description;
  else if (v.description !== undefined) body.description = v.description;
  if (v.permission === undefined) return;
  const permissions = { ...(body.permissions as Record<string, string[]> | undefined) };
  for (const entry of v.permission as string[]) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw context.usage(`--permission takes "API=scope scope", got ${entry}`);
    const scopes = entry
      .slice(eq + 1)
      .split(/[\s,]+/)
      .filter(Boolean);
    if (scopes.length === 0) delete permissions[entry.slice(0, eq)];
    else permissions[entry.slice(0, eq)] = scopes;
  }
  body.permissions = permissions;
}

function show(io: Io, role: RoleOut): void {
  printRecord(io, [
    ['name', role.name],
    ['description', role.description],
    ['permissions', permissionLines(role.permissions)],
  ]);
}

const actions = crudActions<RoleOut>({
  path: '/roles',
  noun: 'role',
  none: 'no roles',
  arg: 'NAME',
  idField: 'name',
  fields: {
    flags: {
      description: { type: 'string' },
      permission: { type: 'string', multiple: true },
      ...BODY_FLAGS,
    },
    help: `  --description TEXT       ("" removes it)
  --permission "API=a b"   the scopes the role grants on API (repeat); on update it
                           replaces that API's scopes, "API=" removes the API
${BODY_HELP}`,
    apply: applyFlags,
  },
  show,
  table: { columns: ['name', 'description', 'permissions'], row: (r) => [r.name, r.description, permissionLines(r.permissions).join('; ')] },
  summaries: {
    create: 'create a role',
    list: 'list roles',
    get: 'show a role',
    update: "change a role; its holders' tokens follow at once",
    delete: 'delete a role (its holders lose its permissions at once)',
  },
  synopses: {
    create: 'NAME [--permission "API=a b" ...] [--description TEXT]',
    update: 'NAME [--permission "API=a b" ...] [--description TEXT]',
  },
});

export const rolesVerb = resourceVerb({
  name: 'roles',
  summary: 'create, list, show, change and delete roles',
  about: 'named bundles of permissions (scopes on APIs) given to users and service accounts',
  actions: [actions.create, actions.list, actions.get, actions.update, actions.delete],
});
