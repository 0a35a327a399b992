/**
 * The Organizer API (seed 002): calendars and events, contacts and tasks, protected by
 * Tessera through the resource-server SDK only. Plain node:http and the SDK's node-http
 * adapter; no Tessera server code is imported.
 *
 *   GET  /calendars              read:calendars
 *   POST /calendars              write:calendars   {"name"}
 *   GET  /calendars/:id          read:calendars
 *   GET  /calendars/:id/events   read:calendars
 *   DELETE /calendars/:id        write:calendars, and a two-factor sign-in in the last 5 minutes
 *   POST /calendars/:id/events   write:calendars   {"title","start","end"?,"attendees"?}
 *   GET  /contacts               read:contacts
 *   POST /contacts               write:contacts    {"name","email"?}
 *   GET  /tasks                  read:tasks
 *   POST /tasks                  write:tasks       {"title","due"?,"done"?}
 *   PATCH /tasks/:id             write:tasks       {"title"?,"done"?,"due"?}
 *   GET  /healthz                no credentials (readiness)
 *
 * Order of checks per request: the path is parsed strictly (anything two servers could
 * read differently, such as dot segments or encoded slashes, is a 400), then routed
 * (404, 405), then the SDK authenticates and applies the route's scope guard (401,
 * 403; an action token is also held to its endpoint list; a sensitive route also asks
 * for a recent two-factor sign-in, RFC 9470 step-up), then the handler runs on
 * the caller's own data space (data.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { requireAuth } from '@tessera/resource-server/node-http';
import {
  ACR_MULTI_FACTOR,
  createAuthenticator,
  requireAuthLevel,
  requireScopes,
  type Authenticator,
  type Guard,
  type AuthenticatorOptions,
  type Principal,
} from '@tessera/resource-server';
import { dataSpaceOf, LimitReached, OrganizerData, type DataSpace, type SpaceKind } from './data.js';

export const ORGANIZER_AUDIENCE = 'https://api.organizer.example';

export interface OrganizerAppOptions {
  /** The SDK's options (issuer, audience, introspection client, ...), or a ready authenticator. */
  auth: AuthenticatorOptions | Authenticator;
  data?: OrganizerData;
  /** Called once per request, after the response is sent (the demo and tests leave it out). */
  log?: (line: { method: string; path: string; status: number; space?: string; kind?: string }) => void;
}

export interface OrganizerApp {
  server: Server;
  data: OrganizerData;
  authenticator: Authenticator;
}

interface Context {
  principal: Principal;
  space: DataSpace;
  spaceKind: SpaceKind;
  params: Record<string, string>;
  body: unknown;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Literal segments, and `:name` for a parameter. */
  pattern: string[];
  scope: string;
  /** More the caller must show besides the scope (here: how recently and strongly the user signed in). */
  guards?: Guard[];
  handle(context: Context): Reply;
}

const MAX_BODY_BYTES = 16 * 1024;

class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, description: string) {
    super(description);
    this.status = status;
    this.code = code;
  }
}

const badRequest = (description: string) => new HttpError(400, 'invalid_request', description);
const notFound = (what: string) => new HttpError(404, 'not_found', `no such ${what}`);

// ---------------------------------------------------------------------------------
// Input validation: small and explicit, every field checked, unknown fields refused.

type Fields = Record<string, unknown>;

function object(body: unknown, allowed: string[]): Fields {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body must be a JSON object');
  for (const key of Object.keys(body)) if (!allowed.includes(key)) throw badRequest(`unknown field "${key}"`);
  return body as Fields;
}

function text(fields: Fields, name: string, max: number, required: true): string;
function text(fields: Fields, name: string, max: number, required: false): string | undefined;
function text(fields: Fields, name: string, max: number, required: boolean): string | undefined {
  const value = fields[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw badRequest(`"${name}" must be a non-empty string of at most ${max} characters`);
  }
  return value.trim();
}

function dateTime(fields: Fields, name: string, required: boolean): string | undefined {
  const value = fields[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.length > 40 || Number.isNaN(Date.parse(value))) {
    throw badRequest(`"${name}" must be a date or date-time such as 2026-05-04T09:30:00Z`);
  }
  return new Date(value).toISOString();
}

// ---------------------------------------------------------------------------------
// Routes.

const created = (body: unknown, location: string): Reply => ({ status: 201, body, headers: { location } });

/**
 * Deleting a calendar cannot be undone: the user must have signed in with two factors
 * in the last five minutes. Otherwise the SDK answers 401 insufficient_user_authentication
 * with acr_values and max_age (RFC 9470), and the app sends the user back to Tessera with
 * them: Tessera asks for a one-time code over the live session, and the new token passes.
 * A PAT, a user token or a client's own token has no sign-in behind it and never passes.
 */
export const RECENT_TWO_FACTOR = { acr: ACR_MULTI_FACTOR, maxAge: 300 };

const ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: ['calendars'],
    scope: 'read:calendars',
    handle: ({ space, spaceKind }) => ({ status: 200, body: { space: spaceKind, calendars: [...space.calendars.values()] } }),
  },
  {
    method: 'POST',
    pattern: ['calendars'],
    scope: 'write:calendars',
    handle: ({ space, body }) => {
      const fields = object(body, ['name']);
      const calendar = space.addCalendar({ name: text(fields, 'name', 100, true) });
      return created(calendar, `/calendars/${calendar.id}`);
    },
  },
  {
    method: 'GET',
    pattern: ['calendars', ':id'],
    scope: 'read:calendars',
    handle: ({ space, params }) => {
      const calendar = space.calendars.get(params.id!);
      if (!calendar) throw notFound('calendar');
      return { status: 200, body: { ...calendar, events: space.events.get(calendar.id)?.length ?? 0 } };
    },
  },
  {
    method: 'DELETE',
    pattern: ['calendars', ':id'],
    scope: 'write:calendars',
    guards: [requireAuthLevel(RECENT_TWO_FACTOR)],
    handle: ({ space, params }) => {
      if (!space.deleteCalendar(params.id!)) throw notFound('calendar');
      return { status: 204, body: undefined };
    },
  },
  {
    method: 'GET',
    pattern: ['calendars', ':id', 'events'],
    scope: 'read:calendars',
    handle: ({ space, spaceKind, params }) => {
      const events = space.events.get(params.id!);
      if (!events) throw notFound('calendar');
      return { status: 200, body: { space: spaceKind, calendarId: params.id, events } };
    },
  },
  {
    method: 'POST',
    pattern: ['calendars', ':id', 'events'],
    scope: 'write:calendars',
    handle: ({ space, params, body }) => {
      if (!space.calendars.has(params.id!)) throw notFound('calendar');
      const fields = object(body, ['title', 'start', 'end', 'attendees']);
      const start = dateTime(fields, 'start', true)!;
      const end = dateTime(fields, 'end', false);
      if (end !== undefined && end < start) throw badRequest('"end" must not be before "start"');
      const attendees = fields.attendees ?? [];
      if (!Array.isArray(attendees) || attendees.length > 50 || !attendees.every((a) => typeof a === 'string' && a.length > 0 && a.length <= 200)) {
        throw badRequest('"attendees" must be a list of at most 50 names or e-mail addresses');
      }
      const event = space.addEvent(params.id!, {
        title: text(fields, 'title', 200, true),
        start,
        ...(end !== undefined ? { end } : {}),
        attendees: attendees as string[],
      })!;
      return created(event, `/calendars/${params.id!}/events/${event.id}`);
    },
  },
  {
    method: 'GET',
    pattern: ['contacts'],
    scope: 'read:contacts',
    handle: ({ space, spaceKind }) => ({ status: 200, body: { space: spaceKind, contacts: [...space.contacts.values()] } }),
  },
  {
    method: 'POST',
    pattern: ['contacts'],
    scope: 'write:contacts',
    handle: ({ space, body }) => {
      const fields = object(body, ['name', 'email']);
      const email = text(fields, 'email', 200, false);
      if (email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(email)) throw badRequest('"email" must be an e-mail address');
      const contact = space.addContact({ name: text(fields, 'name', 100, true), ...(email !== undefined ? { email } : {}) });
      return created(contact, `/contacts/${contact.id}`);
    },
  },
  {
    method: 'GET',
    pattern: ['tasks'],
    scope: 'read:tasks',
    handle: ({ space, spaceKind }) => ({ status: 200, body: { space: spaceKind, tasks: [...space.tasks.values()] } }),
  },
  {
    method: 'POST',
    pattern: ['tasks'],
    scope: 'write:tasks',
    handle: ({ space, body }) => {
      const fields = object(body, ['title', 'due', 'done']);
      if (fields.done !== undefined && typeof fields.done !== 'boolean') throw badRequest('"done" must be true or false');
      const due = dateTime(fields, 'due', false);
      const task = space.addTask({
        title: text(fields, 'title', 200, true),
        ...(due !== undefined ? { due } : {}),
        ...(fields.done !== undefined ? { done: fields.done as boolean } : {}),
      });
      return created(task, `/tasks/${task.id}`);
    },
  },
  {
    method: 'PATCH',
    pattern: ['tasks', ':id'],
    scope: 'write:tasks',
    handle: ({ space, params, body }) => {
      const fields = object(body, ['title', 'done', 'due']);
      if (Object.keys(fields).length === 0) throw badRequest('nothing to change: send "title", "done" or "due"');
      if (fields.done !== undefined && typeof fields.done !== 'boolean') throw badRequest('"done" must be true or false');
      const change: { title?: string; done?: boolean; due?: string | null } = {};
      const title = text(fields, 'title', 200, false);
      if (title !== undefined) change.title = title;
      if (fields.done !== undefined) change.done = fields.done as boolean;
      if (fields.due === null) change.due = null;
      else {
        const due = dateTime(fields, 'due', false);
        if (due !== undefined) change.due = due;
      }
      const task = space.updateTask(params.id!, change);
      if (!task) throw notFound('task');
      return { status: 200, body: task };
    },
  },
];

// ---------------------------------------------------------------------------------
// Strict request paths: the same rules as the SDK's action-token matching
// (@tessera/resource-server/shared), so the route the app runs is always the path the
// SDK checked. Anything ambiguous is refused rather than "fixed".

const RAW_PATH = /^\/[\x21-\x7e]*$/;

/** Decoded path segments, or undefined for a path that could be read two ways. */
export function pathSegments(url: string): string[] | undefined {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  if (!RAW_PATH.test(path) || /[#\\]/.test(path) || /%(2f|5c)/i.test(path) || /%(?![0-9a-fA-F]{2})/.test(path)) return undefined;
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (trimmed === '/') return [];
  const segments: string[] = [];
  for (const raw of trimmed.slice(1).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters in a path segment are refused
    if (segment === '' || segment === '.' || segment === '..' || raw === '.' || raw === '..' || /[\u0000-\u001f\u007f]/.test(segment)) return undefined;
    segments.push(segment);
  }
  return segments;
}

function match(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    if (part.startsWith(':')) params[part.slice(1)] = segments[i]!;
    else if (part !== segments[i]) return undefined;
  }
  return params;
}

// ---------------------------------------------------------------------------------
// HTTP plumbing.

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204) {
    res.writeHead(204, { 'cache-control': 'no-store', ...headers });
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, error: HttpError, headers: Record<string, string> = {}): void {
  send(res, error.status, { error: error.code, error_description: error.message }, headers);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, 'payload_too_large', `the body is limited to ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'payload_too_large', `the body is limited to ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw badRequest('the body is not valid JSON');
  }
}

export function createOrganizerApp(options: OrganizerAppOptions): OrganizerApp {
  const authenticator = 'authenticate' in options.auth ? options.auth : createAuthenticator(options.auth);
  const data = options.data ?? new OrganizerData();
  const log = options.log;
  // One guard per route, built once: authenticate (the SDK), then the route's scope and any other guard.
  const routes = ROUTES.map((route) => ({ ...route, guard: requireAuth(authenticator, requireScopes(route.scope), ...(route.guards ?? [])) }));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<{ space?: string; kind?: string }> {
    const method = req.method ?? 'GET';
    const segments = pathSegments(req.url ?? '/');
    if (!segments) {
      sendError(res, badRequest('the request path is ambiguous (dot segments, encoded slashes, backslashes or empty segments)'));
      return {};
    }
    if (method === 'GET' && segments.length === 1 && segments[0] === 'healthz') {
      send(res, 200, { status: 'ok' });
      return {};
    }
    const candidates = routes.map((route) => ({ route, params: match(route.pattern, segments) })).filter((c) => c.params !== undefined);
    if (candidates.length === 0) {
      sendError(res, notFound('resource'));
      return {};
    }
    const found = candidates.find((c) => c.route.method === method);
    if (!found) {
      sendError(res, new HttpError(405, 'method_not_allowed', `${method} is not allowed here`), { allow: candidates.map((c) => c.route.method).join(', ') });
      return {};
    }
    const principal = await found.route.guard(req, res);
    if (!principal) return {}; // the SDK has sent 401, 403, 400 or 503
    const { kind, key } = dataSpaceOf(principal);
    const body = method === 'GET' || method === 'DELETE' ? undefined : await readJson(req);
    const reply = found.route.handle({ principal, space: data.space(key), spaceKind: kind, params: found.params!, body });
    send(res, reply.status, reply.body, reply.headers);
    return { space: kind, kind: principal.kind };
  }

  const server = createServer((req, res) => {
    handle(req, res)
      .then((info) => log?.({ method: req.method ?? '', path: (req.url ?? '').split('?')[0]!, status: res.statusCode, ...info }))
      .catch((error: unknown) => {
        if (!res.headersSent) {
          if (error instanceof HttpError) sendError(res, error);
          else if (error instanceof LimitReached) sendError(res, new HttpError(409, 'limit_reached', error.message));
          else sendError(res, new HttpError(500, 'server_error', 'something went wrong'));
        } else res.destroy();
        if (!(error instanceof HttpError) && !(error instanceof LimitReached)) console.error('organizer: request failed', error);
        log?.({ method: req.method ?? '', path: (req.url ?? '').split('?')[0]!, status: res.statusCode });
      });
  });
  return { server, data, authenticator };
}
