/**
 * Where a command's changes go. Two modes, one code path:
 *
 *   api    `--server URL` or TESSERA_SERVER: HTTP calls to the running server's
 *          management API (<server>/api/v1), with a token from `--token` or TESSERA_TOKEN;
 *   local  otherwise: the store is opened in this process (open-engine.ts) and the very
 *          same management routes run in-process (managementRouter), as an operator
 *          holding every management scope (and, like the administrator, every scope of
 *          every other API) and audited as `admin:cli:<os user>`.
 *
 * Either way a command sees one `call(method, path, ...)` that answers the API's JSON,
 * or throws ManagementError with the API's problem (status, code, fields at fault).
 * The mode is announced on stderr, one line.
 */
import { relative } from 'node:path';
import type { AuthorizationServer } from '../core/authorization-server.js';
import { MANAGEMENT_SCOPES, managementAudience } from '../management/management-api.js';
import type { Principal } from '../management/principal.js';
import { managementRouter } from '../management/router.js';
import { cliActor } from './cli-actor.js';
import { ManagementError } from './management-error.js';
import { openEngine } from './open-engine.js';
import type { Flags } from './read-settings.js';
import { COMMON_FLAGS, type FlagSpec } from './parse-flags.js';
import type { ServerSettings } from '../server/settings.js';
import { UsageError } from './usage-error.js';

export { ManagementError };
import type { Io } from './verbs/verb.js';

/** Flags of every command that works in both modes. */
export const TARGET_FLAGS = {
  server: { type: 'string' },
  token: { type: 'string' },
  local: { type: 'boolean' },
  data: COMMON_FLAGS.data,
  issuer: COMMON_FLAGS.issuer,
  json: { type: 'boolean' },
  help: COMMON_FLAGS.help,
} as const satisfies FlagSpec;

export const TARGET_HELP = `Where it works:
  --server URL    the running server (its issuer URL; env TESSERA_SERVER): calls its
                  management API at URL/api/v1 with the token in --token or TESSERA_TOKEN
                  (a PAT, SAT or access token for that API holding the scopes needed)
  --data DIR      otherwise, the local store in DIR (default ./.tessera; env TESSERA_DATA_DIR),
                  opened directly, no server needed; --local ignores TESSERA_SERVER
  --json          machine-readable output`;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface CallOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  ifMatch?: string;
}

export interface CallResult<T = unknown> {
  status: number;
  body: T;
  etag?: string;
}

export interface Target {
  readonly mode: 'api' | 'local';
  /** The server's base (issuer) URL in api mode. */
  readonly server?: string;
  /** The engine over the local store in local mode, and the settings it was opened with. */
  readonly engine?: AuthorizationServer;
  readonly settings?: ServerSettings;
  call<T = unknown>(method: HttpMethod, path: string, options?: CallOptions): Promise<CallResult<T>>;
  close(): Promise<void>;
}

/** A path segment: identifiers such as API URLs contain slashes. */
export const seg = (value: string) => encodeURIComponent(value);

function queryString(query: CallOptions['query']): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(key, String(value));
  return params;
}

export interface TargetValues extends Flags {
  server?: string | undefined;
  token?: string | undefined;
  local?: boolean | undefined;
}

export type Mode = { mode: 'api'; server: string; token: string } | { mode: 'local' };

/** --server wins; an explicit --data or --local means the local store; then TESSERA_SERVER. */
export function chooseMode(values: TargetValues, env: NodeJS.ProcessEnv = process.env): Mode {
  if (values.server !== undefined && (values.data !== undefined || values.local)) {
    throw new UsageError(`--server talks to a running server; --${values.local ? 'local' : 'data'} opens the local store: give one of them`);
  }
  const server = values.server ?? (values.data === undefined && !values.local ? env.TESSERA_SERVER || undefined : undefined);
  if (server !== undefined && values.issuer !== undefined) throw new UsageError('--issuer is for the local store; a server knows its own');
  if (server === undefined) {
    if (values.token !== undefined) throw new UsageError('--token is for the management API: give --server URL (or TESSERA_SERVER) too');
    return { mode: 'local' };
  }
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`--server must be the server's URL, such as http://127.0.0.1:9000, got ${server}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--server must be an http or https URL, got ${server}`);
  const base = url.href.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  const token = values.token ?? env.TESSERA_TOKEN;
  if (!token) {
    throw new UsageError(
      `the management API at ${base}/api/v1 needs a token: set TESSERA_TOKEN (or --token), e.g. a PAT made with \`tessera tokens create pat --user admin --api ${base}/api/v1 --scope "read:users write:users ..."\``,
    );
  }
  return { mode: 'api', server: base, token };
}

export function describeLocal(settings: { dataDir: string; databaseUrl?: string }): string {
  if (settings.databaseUrl) {
    const host = (() => {
      try {
        return new URL(settings.databaseUrl).host;
      } catch {
        return 'TESSERA_DATABASE_URL';
      }
    })();
    return `using the local store: PostgreSQL at ${host} (no server)`;
  }
  const rel = relative(process.cwd(), settings.dataDir);
  const shown = rel === '' ? '.' : rel.startsWith('..') || rel.startsWith('/') ? settings.dataDir : `./${rel}`;
  return `using the local store in ${shown} (no server)`;
}

/** Opens the target the flags and environment select, and says which on stderr. */
export async function openTarget(values: TargetValues, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<Target> {
  const mode = chooseMode(values, env);
  if (mode.mode === 'api') {
    io.err(`using the management API at ${mode.server}/api/v1`);
    return apiTarget(mode.server, mode.token);
  }
  const opened = await openEngine(
    { ...(values.data !== undefined ? { data: values.data } : {}), ...(values.issuer !== undefined ? { issuer: values.issuer } : {}) },
    env,
  );
  io.err(describeLocal(opened.settings));
  // A newly generated master key must be backed up, and a deprecated variable renamed: say so.
  // (The standing warning about a key file kept next to the data is for `start` and `apply`;
  // on every command it is noise.)
  const deprecated = opened.settings.warnings ?? [];
  for (const warning of opened.warnings) if (warning.startsWith('generated') || deprecated.includes(warning)) io.err(`warning: ${warning}`);
  return localTarget(opened.engine, opened.settings, async () => {
    await opened.engine.close();
    await opened.store.close();
  });
}

function apiTarget(server: string, token: string): Target {
  return {
    mode: 'api',
    server,
    async call<T>(method: HttpMethod, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
      const query = queryString(options.query).toString();
      const url = `${server}/api/v1${path}${query ? `?${query}` : ''}`;
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
      let response: Response;
      try {
        response = await fetch(url, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new Error(`cannot reach ${server}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
      }
      const text = await response.text();
      let body: unknown;
      if (text) {
        if (!/\bjson\b/i.test(response.headers.get('content-type') ?? '')) {
          throw new Error(
            `${method} ${url} answered ${response.status} ${response.headers.get('content-type') ?? 'without a content type'}, not JSON: is ${server} a Tessera server (its issuer URL)?`,
          );
        }
        body = JSON.parse(text);
      }
      if (!response.ok) {
        const hint =
          response.status === 401
            ? '(check --token / TESSERA_TOKEN)'
            : response.status === 403
              ? '(the token does not hold it)'
              : response.status === 412
                ? '(run the command again)'
                : undefined;
        throw new ManagementError(response.status, body, hint);
      }
      const etag = response.headers.get('etag');
      return { status: response.status, body: body as T, ...(etag ? { etag } : {}) };
    },
    async close() {},
  };
}

/** The operator at this terminal: every management scope and every scope elsewhere (like the administrator), audited as the OS account. */
function operator(issuer: string): Principal {
  const actor = cliActor();
  const holdings = { permissions: { [managementAudience(issuer)]: [...MANAGEMENT_SCOPES] }, everyOtherApi: true };
  return { kind: 'user', id: actor.id, name: actor.id, scopes: new Set(MANAGEMENT_SCOPES), holdings, actor };
}

export function localTarget(engine: AuthorizationServer, settings: ServerSettings, close: () => Promise<void>): Target {
  const principal = operator(engine.issuer);
  const router = managementRouter(engine, undefined, { authenticate: async () => principal });
  return {
    mode: 'local',
    engine,
    settings,
    async call<T>(method: HttpMethod, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
      const headers: Record<string, string | undefined> = {};
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
      const response = await router({
        method,
        path,
        query: queryString(options.query),
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
      // Through JSON, so that both modes hand commands exactly the same shapes.
      const body = response.body === undefined ? undefined : (JSON.parse(JSON.stringify(response.body)) as unknown);
      if (response.status >= 400) throw new ManagementError(response.status, body, response.status === 412 ? '(run the command again)' : undefined);
      const etag = response.headers?.ETag;
      return { status: response.status, body: body as T, ...(etag ? { etag } : {}) };
    },
    close,
  };
}

/** Every item of a paginated list, following nextCursor (up to `max` items). */
export async function listAll<T>(target: Target, path: string, query: CallOptions['query'] = {}, max = Infinity): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const limit = Math.min(200, max - items.length);
    const page = await target.call<{ items: T[]; nextCursor?: string }>('GET', path, { query: { ...query, limit, cursor } });
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor !== undefined && items.length < max);
  return items;
}
