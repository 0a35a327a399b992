/** `tessera users`: people who sign in; roles, activation, passwords, consents, "revoke everything". */
import { randomBytes } from 'node:crypto';
import { crudActions } from '../crud-actions.js';
import { printJson, printRecord, printTable, when } from '../output.js';
import { findUser, type UserOut } from '../resolve.js';
import { BODY_FLAGS, BODY_HELP, listFlag, need, readStdin, resourceVerb, switchFlag, switchFlags, type ActionContext } from '../resource-verb.js';
import { ROLE_CHANGE_HELP, roleChangeFlags } from '../role-changes.js';
import { ManagementError, seg } from '../target.js';
import type { Io } from './verb.js';
import type { ConsentOut } from '../api-types.js';

const FIELD_FLAGS = {
  name: { type: 'string' },
  email: { type: 'string' },
  role: { type: 'string', multiple: true },
  'password-stdin': { type: 'boolean' },
  ...switchFlags('email-verified', 'active'),
  inactive: { type: 'boolean' },
  ...BODY_FLAGS,
} as const;

const FIELD_HELP = `  --name TEXT           full name ("" removes it)
  --email ADDRESS       ("" removes it)   --[no-]email-verified
  --role ROLE           a role (repeat, or "a b"); replaces the list on update
  --password-stdin      read a password from standard input (without one, the user
                        cannot sign in with a password until \`tessera users set-password\`)
  --active, --inactive  an inactive user cannot sign in, and their tokens stop working
${BODY_HELP}`;

async function applyFlags(context: ActionContext, body: Record<string, unknown>): Promise<void> {
  const v = context.values;
  for (const field of ['name', 'email'] as const) {
    if (v[field] === '') delete body[field];
    else if (v[field] !== undefined) body[field] = v[field];
  }
  const verified = switchFlag(context, 'email-verified');
  if (verified !== undefined) body.emailVerified = verified;
  const active = switchFlag(context, 'active');
  if (active === true && v.inactive) throw context.usage('give --active or --inactive, not both');
  if (active === false || v.inactive) body.active = false;
  if (active === true) body.active = true;
  const roles = listFlag(v.role);
  if (roles) body.roles = roles;
  if (v['password-stdin']) body.password = await readStdin();
}

function show(io: Io, u: UserOut): void {
  printRecord(io, [
    ['username', u.username],
    ['id', u.id],
    ['name', u.name],
    ['email', u.email === undefined ? undefined : `${u.email}${u.emailVerified ? ' (verified)' : ''}`],
    ['active', u.active ? 'yes' : 'no'],
    ['roles', u.roles.join(' ')],
    ['password', u.hasPassword ? 'set' : 'none'],
  ]);
}

const userInput = ({ id: _id, hasPassword: _p, signUpPending: _s, ...rest }: UserOut): Record<string, unknown> => rest;

const USER_ARG = 'USER is a username or a user id.';

/** The five actions from one description; `update` also renames and adds or removes roles. */
const actions = crudActions<UserOut>({
  path: '/users',
  noun: 'user',
  none: 'no users',
  arg: 'USER',
  idField: 'username',
  createArg: 'USERNAME',
  find: findUser,
  pathId: (u) => u.id,
  argHelp: USER_ARG,
  fields: { flags: FIELD_FLAGS, help: FIELD_HELP, apply: applyFlags },
  show,
  deleted: (_ref, u) => ({
    json: { deleted: u!.id, username: u!.username },
    text: `deleted user ${u!.username} (${u!.id}); everything they held is revoked`,
  }),
  table: {
    columns: ['username', 'name', 'email', 'active', 'roles', 'id'],
    row: (u) => [u.username, u.name, u.email, u.active ? 'yes' : 'no', u.roles.join(' '), u.id],
  },
  listFilters: {
    synopsis: '[--search TEXT] [--role ROLE] [--active | --inactive]',
    help: `  --search TEXT   part of the username or email
  --role ROLE     only holders of ROLE
  --active, --inactive`,
    flags: { search: { type: 'string' }, role: { type: 'string' }, active: { type: 'boolean' }, inactive: { type: 'boolean' } },
    query(context) {
      const v = context.values;
      if (v.active && v.inactive) throw context.usage('give --active or --inactive, not both');
      return { q: v.search as string | undefined, role: v.role as string | undefined, active: v.active ? 'true' : v.inactive ? 'false' : undefined };
    },
  },
  editable: userInput,
  summaries: {
    create: 'create a user',
    list: 'list users',
    get: 'show a user',
    update: 'change a user: the fields given change, the others (and the password) stay',
    delete: 'delete a user, revoking every token, consent and session they hold',
  },
  synopses: {
    create: 'USERNAME [--role ROLE ...] [--name TEXT] [--email ADDRESS] [--password-stdin] [--inactive]',
    update: 'USER [--username NEW] [--role ROLE ... | --add-role R --remove-role R] [--name] [--email] [--active|--inactive]',
  },
  details: { update: `  --username NEW        rename\n${ROLE_CHANGE_HELP}` },
  updateFlags: {
    flags: { username: { type: 'string' }, ...roleChangeFlags.flags },
    apply(context, body) {
      if (context.values.username !== undefined) body.username = context.values.username;
      return roleChangeFlags.apply(context, body);
    },
  },
});

export const usersVerb = resourceVerb({
  name: 'users',
  summary: 'create, list, show, change and delete users; passwords, consents, revoke everything',
  about: 'people who sign in: roles, activation, passwords, consents',
  actions: [
    actions.create,
    actions.list,
    {
      name: 'mfa',
      summary: "list a user's second factors and passkeys (never their secrets or keys), or reset them",
      synopsis: 'list|reset USER',
      details: `${USER_ARG}
  list    the authenticator apps and passkeys, and how many recovery codes remain
  reset   remove every factor, passkey and recovery code: the user signs in with their
          password (and sets a factor up again where policy requires one); audited`,
      async run(context) {
        const [what, ref] = need(context, 'list|reset', 'USER');
        if (what !== 'list' && what !== 'reset') throw context.usage(`unknown mfa action ${what}: list or reset`);
        const target = await context.target();
        const user = await findUser(target, ref!);
        const path = `/users/${seg(user.id)}/mfa`;
        if (what === 'reset') {
          const { removed } = (await target.call<{ removed: number }>('DELETE', path)).body;
          if (context.json) return (printJson(context.io, { removed }), 0);
          context.io.err(`removed ${removed} factor${removed === 1 ? '' : 's'} and the recovery codes of ${user.username}`);
          return 0;
        }
        const mfa = (
          await target.call<{
            required: boolean;
            factors: { id: string; type: string; name: string; createdAt: number; lastUsedAt?: number }[];
            recoveryCodes: { total: number; remaining: number };
          }>('GET', path)
        ).body;
        if (context.json) return (printJson(context.io, mfa), 0);
        const day = (t: number | undefined) => (t === undefined ? 'never' : new Date(t * 1000).toISOString().slice(0, 10));
        printTable(
          context.io,
          ['type', 'name', 'added', 'last used', 'id'],
          mfa.factors.map((f) => [f.type, f.name, day(f.createdAt), day(f.lastUsedAt), f.id]),
          'no second factor',
        );
        context.io.out(`recovery codes: ${mfa.recoveryCodes.remaining} of ${mfa.recoveryCodes.total} left; required by policy: ${mfa.required ? 'yes' : 'no'}`);
        return 0;
      },
    },
    actions.get,
    actions.update,
    actions.delete,
    {
      name: 'invite',
      summary: 'invite a person by email: the account is created without a password, and a link to choose one is mailed',
      synopsis: 'EMAIL [--username NAME] [--name TEXT] [--role ROLE ...]',
      details: `  --username NAME   (default: the email address)\n  --name TEXT\n  --role ROLE       a role (repeat, or "a b")\nThe link works for 7 days. Inviting again, before a password is set, sends a new link.\nNeeds mail (docs/email.md); locally, the message waits in the outbox for a running server.`,
      flags: { username: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', multiple: true } },
      async run(context) {
        const [email] = need(context, 'EMAIL');
        const v = context.values;
        const body = { email, roles: listFlag(v.role) ?? [], ...(v.username ? { username: v.username } : {}), ...(v.name ? { name: v.name } : {}) };
        const target = await context.target();
        const { body: result } = await target.call<{ user: UserOut; created: boolean; expiresAt: number }>('POST', '/invitations', { body });
        if (context.json) printJson(context.io, result);
        else
          context.io.out(
            `${result.created ? 'invited' : 'invited again'} ${result.user.username} <${email}>; the link works until ${new Date(result.expiresAt * 1000).toISOString()}`,
          );
        return 0;
      },
    },
    {
      name: 'set-password',
      summary: 'set a password: read from standard input, or generated and printed once',
      synopsis: 'USER [--password-stdin]',
      details: USER_ARG,
      flags: { 'password-stdin': { type: 'boolean' } },
      async run(context) {
        const [ref] = need(context, 'USER');
        const given = context.values['password-stdin'] === true;
        const password = given ? await readStdin() : randomBytes(18).toString('base64url');
        const target = await context.target();
        const user = await findUser(target, ref!);
        await target.call('POST', `/users/${seg(user.id)}/password`, { body: { password } });
        if (context.json) printJson(context.io, { username: user.username, ...(given ? {} : { password }) });
        else if (given) context.io.out(`set the password of ${user.username}`);
        else {
          context.io.out(password);
          context.io.err(`set a generated password for ${user.username}; copy it now: it is not shown again`);
        }
        return 0;
      },
    },
    {
      name: 'revoke-everything',
      summary: 'revoke every token, consent and session of a user (they stay a user)',
      synopsis: 'USER',
      details: `${USER_ARG}\nJWT access tokens already issued lapse within their lifetime.`,
      async run(context) {
        const [ref] = need(context, 'USER');
        const target = await context.target();
        const user = await findUser(target, ref!);
        const result = (await target.call<{ revoked: number; consents?: number }>('POST', `/users/${seg(user.id)}/revoke-everything`)).body;
        if (context.json) printJson(context.io, result);
        else context.io.out(`revoked ${result.revoked} token(s) and ${result.consents ?? 0} consent(s); every session of ${user.username} has ended`);
        return 0;
      },
    },
    {
      name: 'consents',
      summary: "list a user's consents, or revoke one with --revoke CLIENT_ID",
      synopsis: 'USER [--revoke CLIENT_ID]',
      details: `${USER_ARG}
  --revoke CLIENT_ID   withdraw the consent, and revoke the tokens the client holds for the user`,
      flags: { revoke: { type: 'string' } },
      async run(context) {
        const [ref] = need(context, 'USER');
        const target = await context.target();
        const user = await findUser(target, ref!);
        const client = context.values.revoke as string | undefined;
        if (client !== undefined) return revokeConsent(context, user, client);
        return printConsents(context, user);
      },
    },
  ],
});

/** Shared with `tessera consents revoke`. */
/** A user's consents, as a table or JSON (shared by `users consents` and `consents list`). */
export async function printConsents(context: Pick<ActionContext, 'io' | 'json' | 'target'>, user: UserOut): Promise<number> {
  const consents = (await (await context.target()).call<{ items: ConsentOut[] }>('GET', `/users/${seg(user.id)}/consents`)).body.items;
  if (context.json) return (printJson(context.io, consents), 0);
  printTable(
    context.io,
    ['client', 'scopes', 'granted', 'updated'],
    consents.map((c) => [c.clientId, c.scopes.join(' '), when(c.createdAt), when(c.updatedAt)]),
    `${user.username} has not consented to any app`,
  );
  return 0;
}

export async function revokeConsent(context: Pick<ActionContext, 'io' | 'json' | 'target'>, user: UserOut, clientId: string): Promise<number> {
  const target = await context.target();
  try {
    const result = (await target.call<{ revoked: number }>('DELETE', `/users/${seg(user.id)}/consents/${seg(clientId)}`)).body;
    if (context.json) printJson(context.io, { consent: true, revoked: result.revoked });
    else context.io.out(`revoked the consent of ${user.username} for ${clientId}; revoked ${result.revoked} token(s)`);
  } catch (error) {
    // 404 here is the consent (the user was found): the API has still revoked any
    // tokens the client held for the user.
    if (!(error instanceof ManagementError && error.status === 404)) throw error;
    if (context.json) printJson(context.io, { consent: false });
    else context.io.out(`no consent on file for ${clientId}; any tokens it held for ${user.username} are revoked`);
  }
  return 0;
}
