/**
 * The `tessera` command line: a verb table and one error policy. Usage mistakes print
 * one line and exit 2; configuration, validation and management API errors print one
 * line (naming the fields at fault) and exit 1; nothing prints a stack trace unless
 * TESSERA_DEBUG is set.
 */
import { ConfigError, NotFoundError, OAuthError, ValidationError } from '../core/errors.js';
import { ManagementError } from './management-error.js';
import { UsageError } from './usage-error.js';
import type { Io, Verb } from './verbs/verb.js';

/**
 * The verbs by name, each loaded when it runs: `tessera start` then loads the server and
 * none of the resource commands (their schemas and YAML parser), which keeps the server
 * process lighter. `formerly` lists old names still accepted, each with a deprecation
 * notice on standard error.
 */
const VERBS: Record<string, { formerly?: string[]; load(): Promise<Verb> }> = {
  admin: { load: () => import('./verbs/admin.js').then((m) => m.adminVerb) },
  apis: { load: () => import('./verbs/apis.js').then((m) => m.apisVerb) },
  apply: { load: () => import('./verbs/apply.js').then((m) => m.applyVerb) },
  audit: { load: () => import('./verbs/audit.js').then((m) => m.auditVerb) },
  clients: { load: () => import('./verbs/clients.js').then((m) => m.clientsVerb) },
  consents: { load: () => import('./verbs/consents.js').then((m) => m.consentsVerb) },
  dev: { formerly: ['token'], load: () => import('./verbs/dev.js').then((m) => m.devVerb) },
  export: { load: () => import('./verbs/export.js').then((m) => m.exportVerb) },
  grants: { load: () => import('./verbs/grants.js').then((m) => m.grantsVerb) },
  'identity-providers': { load: () => import('./verbs/identity-providers.js').then((m) => m.identityProvidersVerb) },
  keys: { load: () => import('./verbs/keys.js').then((m) => m.keysVerb) },
  migrate: { load: () => import('./verbs/migrate.js').then((m) => m.migrateVerb) },
  registration: { load: () => import('./verbs/registration.js').then((m) => m.registrationVerb) },
  roles: { load: () => import('./verbs/roles.js').then((m) => m.rolesVerb) },
  'service-accounts': { load: () => import('./verbs/service-accounts.js').then((m) => m.serviceAccountsVerb) },
  sessions: { load: () => import('./verbs/sessions.js').then((m) => m.sessionsVerb) },
  schema: { load: () => import('./verbs/schema.js').then((m) => m.schemaVerb) },
  start: { load: () => import('./verbs/start.js').then((m) => m.startVerb) },
  tokens: { load: () => import('./verbs/tokens.js').then((m) => m.tokensVerb) },
  users: { load: () => import('./verbs/users.js').then((m) => m.usersVerb) },
};

const GROUPS: [string, string[]][] = [
  ['server', ['start', 'migrate']],
  [
    'resources (local store, or a server with --server)',
    [
      'apis',
      'clients',
      'users',
      'roles',
      'service-accounts',
      'tokens',
      'consents',
      'sessions',
      'grants',
      'keys',
      'audit',
      'identity-providers',
      'registration',
    ],
  ],
  ['developer tools', ['dev']],
  ['configuration and setup (local store)', ['apply', 'export', 'schema', 'admin']],
];

async function help(): Promise<string> {
  const width = Math.max(...Object.keys(VERBS).map((name) => name.length));
  const summaries = new Map(await Promise.all(Object.entries(VERBS).map(async ([name, v]) => [name, (await v.load()).summary] as const)));
  const line = (name: string) => {
    const formerly = VERBS[name]!.formerly;
    return `  ${name.padEnd(width)}  ${summaries.get(name)}${formerly ? ` (formerly ${formerly.map((f) => `\`${f}\``).join(', ')})` : ''}`;
  };
  return [
    'tessera: an OAuth 2.0 / OpenID Connect authorization server and API-token platform',
    '',
    'usage: tessera <command> [action] [flags]',
    ...GROUPS.flatMap(([title, names]) => ['', `${title}:`, ...names.map(line)]),
    '',
    'Resource commands work on the local store (--data DIR, default ./.tessera) or, with',
    '--server URL (or TESSERA_SERVER) and a token (--token or TESSERA_TOKEN), on a running',
    'server through its management API; they say which on stderr. --json everywhere.',
    'Run `tessera <command> --help` for the actions and flags of a command.',
  ].join('\n');
}

const consoleIo: Io = { out: (line) => console.log(line), err: (line) => console.error(line) };

export async function main(argv: string[], io: Io = consoleIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(await help());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    io.out('0.1.0');
    return 0;
  }
  const found = Object.hasOwn(VERBS, name) ? name : Object.keys(VERBS).find((v) => VERBS[v]!.formerly?.includes(name));
  if (found && found !== name) io.err(`tessera ${name}: deprecated, now \`tessera ${found}\` (the old name will be removed in a later release)`);
  if (!found) {
    io.err(`tessera: unknown command "${name}"; run \`tessera --help\``);
    return 2;
  }
  try {
    const verb = await VERBS[found]!.load();
    return await verb.run(args, io);
  } catch (error) {
    const command = (error as { command?: string } | undefined)?.command ?? name;
    if (error instanceof UsageError) {
      io.err(`tessera ${command}: ${error.message}; run \`tessera ${command} --help\``);
      return 2;
    }
    if (
      error instanceof ManagementError ||
      error instanceof ConfigError ||
      error instanceof TypeError ||
      error instanceof ValidationError ||
      error instanceof NotFoundError ||
      error instanceof OAuthError
    ) {
      io.err(`tessera ${command}: ${error.message}`);
      if (process.env.TESSERA_DEBUG) io.err(String((error as Error).stack));
      return 1;
    }
    io.err(`tessera ${command}: ${(error as Error).message ?? String(error)}`);
    if (process.env.TESSERA_DEBUG) io.err(String((error as Error).stack));
    return 1;
  }
}
