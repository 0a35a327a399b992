/** `tessera roles`: named bundles of permissions on APIs, given to users and service accounts. */
import { permissionLines, printJson, printRecord, printTable } from '../output.js';
import { BODY_FLAGS, BODY_HELP, bodyFrom, need, resourceVerb, type ActionContext } from '../resource-verb.js';
import { listAll, seg } from '../target.js';
import type { Io } from './verb.js';
import type { RoleOut } from '../api-types.js';

const FIELD_FLAGS = {
  description: { type: 'string' },
  permission: { type: 'string', multiple: true },
  ...BODY_FLAGS,
} as const;

const FIELD_HELP = `  --description TEXT       ("" removes it)
  --permission "API=a b"   the scopes the role grants on API (repeat); on update it
                           replaces that API's scopes, "API=" removes the API
${BODY_HELP}`;

function applyFlags(context: ActionContext, body: Record<string, unknown>): void {
  const v = context.values;
  if (v.description === '') delete body.description;
  else if (v.description !== undefined) body.description = v.description;
  if (v.permission === undefined) return;
  const permissions = { ...(body.permissions as Record<string, string[]> | undefined) };
  for (const entry of v.permission as string[]) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw context.usage(`--permission takes "API=scope scope", got ${entry}`);
    const scopes = entry.slice(eq + 1).split(/[\s,]+/).filter(Boolean);
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

export const rolesVerb = resourceVerb({
  name: 'roles',
  summary: 'create, list, show, change and delete roles',
  about: 'named bundles of permissions (scopes on APIs) given to users and service accounts',
  actions: [
    {
      name: 'create',
      summary: 'create a role',
      synopsis: 'NAME [--permission "API=a b" ...] [--description TEXT]',
      details: FIELD_HELP,
      flags: FIELD_FLAGS,
      async run(context) {
        if (context.positionals.length > 1) throw context.usage(`unexpected argument ${context.positionals[1]}`);
        const body: Record<string, unknown> = { ...bodyFrom(context) };
        if (context.positionals[0] !== undefined) body.name = context.positionals[0];
        if (body.name === undefined) throw context.usage('missing NAME');
        applyFlags(context, body);
        const role = (await (await context.target()).call<RoleOut>('POST', '/roles', { body })).body;
        if (context.json) return printJson(context.io, role), 0;
        context.io.err(`created role ${role.name}`);
        show(context.io, role);
        return 0;
      },
    },
    {
      name: 'list',
      summary: 'list roles',
      synopsis: '',
      async run(context) {
        need(context);
        const roles = await listAll<RoleOut>(await context.target(), '/roles');
        if (context.json) return printJson(context.io, roles), 0;
        printTable(
          context.io,
          ['name', 'description', 'permissions'],
          roles.map((r) => [r.name, r.description, permissionLines(r.permissions).join('; ')]),
          'no roles',
        );
        return 0;
      },
    },
    {
      name: 'get',
      summary: 'show a role',
      synopsis: 'NAME',
      async run(context) {
        const [name] = need(context, 'NAME');
        const role = (await (await context.target()).call<RoleOut>('GET', `/roles/${seg(name!)}`)).body;
        if (context.json) printJson(context.io, role);
        else show(context.io, role);
        return 0;
      },
    },
    {
      name: 'update',
      summary: "change a role; its holders' tokens follow at once",
      synopsis: 'NAME [--permission "API=a b" ...] [--description TEXT]',
      details: `${FIELD_HELP}
The role is read, changed and written back with If-Match: if someone changed it in
between, nothing is written and the command fails (412); run it again.`,
      flags: FIELD_FLAGS,
      async run(context) {
        const [name] = need(context, 'NAME');
        const target = await context.target();
        const path = `/roles/${seg(name!)}`;
        const current = await target.call<RoleOut>('GET', path);
        const body: Record<string, unknown> = { ...current.body, ...bodyFrom(context) };
        applyFlags(context, body);
        const role = (await target.call<RoleOut>('PUT', path, { body, ...(current.etag ? { ifMatch: current.etag } : {}) })).body;
        if (context.json) return printJson(context.io, role), 0;
        context.io.err(`updated role ${role.name}`);
        show(context.io, role);
        return 0;
      },
    },
    {
      name: 'delete',
      summary: 'delete a role (its holders lose its permissions at once)',
      synopsis: 'NAME',
      async run(context) {
        const [name] = need(context, 'NAME');
        await (await context.target()).call('DELETE', `/roles/${seg(name!)}`);
        if (context.json) printJson(context.io, { deleted: name });
        else context.io.out(`deleted role ${name}`);
        return 0;
      },
    },
  ],
});
