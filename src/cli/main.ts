/**
 * The `tessera` command line: a verb table and one error policy. Usage mistakes print
 * one line and exit 2; configuration, validation and management API errors print one
 * line (naming the fields at fault) and exit 1; nothing prints a stack trace unless
 * TESSERA_DEBUG is set.
 */
import { ConfigError, NotFoundError, OAuthError, ValidationError } from '../core/errors.js';
import { ManagementError } from './target.js';
import { UsageError } from './usage-error.js';
import { adminVerb } from './verbs/admin.js';
import { apisVerb } from './verbs/apis.js';
import { applyVerb } from './verbs/apply.js';
import { auditVerb } from './verbs/audit.js';
import { clientsVerb } from './verbs/clients.js';
import { consentsVerb } from './verbs/consents.js';
import { devVerb } from './verbs/dev.js';
import { exportVerb } from './verbs/export.js';
import { grantsVerb } from './verbs/grants.js';
import { identityProvidersVerb } from './verbs/identity-providers.js';
import { keysVerb } from './verbs/keys.js';
import { migrateVerb } from './verbs/migrate.js';
import { registrationVerb } from './verbs/registration.js';
import { rolesVerb } from './verbs/roles.js';
import { serviceAccountsVerb } from './verbs/service-accounts.js';
import { sessionsVerb } from './verbs/sessions.js';
import { schemaVerb } from './verbs/schema.js';
import { startVerb } from './verbs/start.js';
import { tokensVerb } from './verbs/tokens.js';
import { usersVerb } from './verbs/users.js';
import type { Io, Verb } from './verbs/verb.js';

const GROUPS: [string, Verb[]][] = [
  ['server', [startVerb, migrateVerb]],
  ['resources (local store, or a server with --server)', [apisVerb, clientsVerb, usersVerb, rolesVerb, serviceAccountsVerb, tokensVerb, consentsVerb, sessionsVerb, grantsVerb, keysVerb, auditVerb, identityProvidersVerb, registrationVerb]],
  ['developer tools', [devVerb]],
  ['configuration and setup (local store)', [applyVerb, exportVerb, schemaVerb, adminVerb]],
];
const VERBS: Verb[] = GROUPS.flatMap(([, verbs]) => verbs);

function help(): string {
  const width = Math.max(...VERBS.map((v) => v.name.length));
  return [
    'tessera: an OAuth 2.0 / OpenID Connect authorization server and API-token platform',
    '',
    'usage: tessera <command> [action] [flags]',
    ...GROUPS.flatMap(([title, verbs]) => ['', `${title}:`, ...verbs.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}${v.formerly ? ` (formerly ${v.formerly.map((f) => `\`${f}\``).join(', ')})` : ''}`)]),
    '',
    'Resource commands work on the local store (--data DIR, default ./.tessera) or, with',
    '--server URL (or TESSERA_SERVER) and a token (--token or TESSERA_TOKEN), on a running',
    "server through its management API; they say which on stderr. --json everywhere.",
    'Run `tessera <command> --help` for the actions and flags of a command.',
  ].join('\n');
}

const consoleIo: Io = { out: (line) => console.log(line), err: (line) => console.error(line) };

export async function main(argv: string[], io: Io = consoleIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    io.out('0.1.0');
    return 0;
  }
  const verb = VERBS.find((v) => v.name === name) ?? VERBS.find((v) => v.formerly?.includes(name));
  if (verb && verb.name !== name) io.err(`tessera ${name}: deprecated, now \`tessera ${verb.name}\` (the old name will be removed in a later release)`);
  if (!verb) {
    io.err(`tessera: unknown command "${name}"; run \`tessera --help\``);
    return 2;
  }
  try {
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
