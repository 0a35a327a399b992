/**
 * A management resource declared once: its path, id parameter, scopes, presenter,
 * audit kind and the few hooks that differ (how to load, build, save and delete),
 * from which come the five routes every resource has: list, create, get, replace
 * (with If-Match) and delete. The routes carry the same schemas as hand-written
 * ones, so validation, the audit change records and the OpenAPI document follow.
 *
 * What the routes do, in order (the order decides which error a caller sees first):
 * - list: the hook's items, paginated by the sort key, each presented.
 * - create: 409 if `exists`; the hook checks, builds and saves; 201 with the
 *   presented resource, its ETag and a `created` change.
 * - get: 404 if not loaded; the presented resource and its ETag.
 * - replace: 404; 400 if the body renames what the path pins; 412 if If-Match
 *   differs from the presented resource (none: last write wins); the hook, given the
 *   item read as `expected`, writes with the store's compare-and-set (replaceIf), so a
 *   change made since the read is refused (412) too; an `updated` change with both
 *   sides presented.
 * - delete: 409 if `protect` names a reason; 404 if not loaded; 412 as for replace
 *   (the hook deletes with deleteIf); 404 if the hook says it was gone; 204 with a
 *   `deleted` change.
 * A resource whose operation does more (a secret shown once, a count returned)
 * leaves that operation out and declares its own route beside these.
 */
import type { z } from 'zod';
import type { AuthorizationServer } from '../core/authorization-server.js';
import { checkIfMatch, conditional, etagOf } from './etag.js';
import type { ManagementScope } from './management-api.js';
import { paginate, pageQuery, pageSchema } from './pagination.js';
import type { Principal } from './principal.js';
import { badField, conflict, notFound } from './problem.js';
import { type ManagementRoute, route } from './route.js';

type PageQuery = z.output<typeof pageQuery>;

export interface ResourceDeclaration<S, O, B, Q extends PageQuery> {
  /** The collection's path, e.g. `/apis`; an item is `/apis/{id}` with the id parameter's name. */
  path: string;
  /** The path parameter naming one item: a zod object with that one key. */
  params: z.ZodObject;
  /** The OpenAPI tag. */
  tag: string;
  /** How messages name one item, e.g. `API` in "API x exists". */
  noun: string;
  /** The `kind` of the audit change records. */
  kind: string;
  scopes: { read: ManagementScope; write: ManagementScope };
  /** What a caller sees of one item (and what the ETag and change records hash). */
  response: z.ZodType<O>;
  present?: (engine: AuthorizationServer, stored: NoInfer<S>) => O;
  /** The stored item named by the path, if any. */
  load(engine: AuthorizationServer, id: string): Promise<S | undefined>;
  /** The id in change records and the list's sort key. */
  idOf(stored: NoInfer<S>): string;
  list?: {
    summary: string;
    /** The page query extended with filters; pageQuery by default. */
    query?: z.ZodType<Q>;
    items(engine: AuthorizationServer, query: Q): Promise<NoInfer<S>[]>;
    /** The sort key of the list's pages, when not the id. */
    sortKey?: (stored: NoInfer<S>) => string;
  };
  create?: {
    summary: string;
    body: z.ZodType<B>;
    /** The name a conflicting item has (in "<noun> <name> exists"), and whether one exists. */
    name(body: B): string;
    exists(engine: AuthorizationServer, body: B): Promise<unknown>;
    /** Checks, builds and saves; returns what is stored. */
    save(engine: AuthorizationServer, body: B, principal: Principal): Promise<NoInfer<S>>;
    /** Whether the router records a change (the default); false where the save audits itself. */
    audited?: boolean;
  };
  get?: { summary: string };
  replace?: {
    summary: string;
    body: z.ZodType<B>;
    /** A body field that must keep its value: the path's id, or `current` of the stored item. */
    pinned?: { field: string; message: string; current?: (stored: NoInfer<S>) => string };
    /**
     * Checks, builds and saves over `current`; returns what is stored. `expected` is
     * `current` when the request carried If-Match: then the write must be the store's
     * compare-and-set on it (`store.replaceIf`), which throws StaleWriteError (412).
     */
    save(engine: AuthorizationServer, current: NoInfer<S>, body: B, principal: Principal, expected: NoInfer<S> | undefined): Promise<NoInfer<S>>;
  };
  delete?: {
    summary: string;
    /** Why this item must stay, checked before anything is read. */
    protect?: (engine: AuthorizationServer, id: string) => string | undefined;
    /**
     * Deletes `before`; false when it was gone meanwhile (404). `expected` is `before`
     * under If-Match: then the delete is the store's deleteIf on it.
     */
    remove(
      engine: AuthorizationServer,
      before: NoInfer<S>,
      principal: Principal,
      expected: NoInfer<S> | undefined,
      // biome-ignore lint/suspicious/noConfusingVoidType: a hook may end without a return (deleted)
    ): Promise<boolean | undefined | void>;
  };
}

/** The list, create, get, replace and delete routes of one declared resource, in that order. */
export function resourceRoutes<S, O, B, Q extends PageQuery = PageQuery>(r: ResourceDeclaration<S, O, B, Q>): ManagementRoute[] {
  const idName = Object.keys(r.params.shape)[0]!;
  const item = `${r.path}/{${idName}}`;
  const present = (engine: AuthorizationServer, stored: S): O => (r.present ? r.present(engine, stored) : (stored as unknown as O));
  const idIn = (params: unknown) => (params as Record<string, string>)[idName]!;
  const load = async (engine: AuthorizationServer, id: string): Promise<S> => {
    const stored = await r.load(engine, id);
    if (stored === undefined) throw notFound(`${r.noun} ${id}`);
    return stored;
  };
  const routes: ManagementRoute[] = [];
  const { list, create, get, replace } = r;
  const remove = r.delete;
  if (list) {
    routes.push(
      route({
        method: 'GET',
        path: r.path,
        tag: r.tag,
        summary: list.summary,
        scope: r.scopes.read,
        status: 200,
        query: list.query ?? (pageQuery as unknown as z.ZodType<Q>),
        response: pageSchema(r.response),
        async handler(engine, { query }) {
          const page = paginate(await list.items(engine, query), list.sortKey ?? r.idOf, query);
          return { body: { ...page, items: page.items.map((s) => present(engine, s)) } };
        },
      }),
    );
  }
  if (create) {
    routes.push(
      route({
        method: 'POST',
        path: r.path,
        tag: r.tag,
        summary: create.summary,
        scope: r.scopes.write,
        status: 201,
        body: create.body,
        response: r.response,
        async handler(engine, { body, principal }) {
          if (await create.exists(engine, body)) throw conflict(`${r.noun} ${create.name(body)} exists`);
          const stored = await create.save(engine, body, principal);
          const out = present(engine, stored);
          return {
            body: out,
            etag: etagOf(out),
            ...(create.audited === false ? {} : { change: { kind: r.kind, id: r.idOf(stored), action: 'created' as const, after: out as object } }),
          };
        },
      }),
    );
  }
  if (get) {
    routes.push(
      route({
        method: 'GET',
        path: item,
        tag: r.tag,
        summary: get.summary,
        scope: r.scopes.read,
        status: 200,
        params: r.params,
        response: r.response,
        async handler(engine, { params }) {
          const out = present(engine, await load(engine, idIn(params)));
          return { body: out, etag: etagOf(out) };
        },
      }),
    );
  }
  if (replace) {
    routes.push(
      route({
        method: 'PUT',
        path: item,
        tag: r.tag,
        summary: replace.summary,
        scope: r.scopes.write,
        status: 200,
        params: r.params,
        body: replace.body,
        response: r.response,
        async handler(engine, { params, body, ifMatch, principal }) {
          const id = idIn(params);
          const current = await load(engine, id);
          const pinned = replace.pinned;
          if (pinned && (body as Record<string, unknown>)[pinned.field] !== (pinned.current ? pinned.current(current) : id))
            throw badField(`body.${pinned.field}`, pinned.message);
          const before = present(engine, current);
          checkIfMatch(before, ifMatch);
          const stored = await replace.save(engine, current, body, principal, conditional(ifMatch) ? current : undefined);
          const out = present(engine, stored);
          return {
            body: out,
            etag: etagOf(out),
            change: { kind: r.kind, id: r.idOf(stored), action: 'updated', before: before as object, after: out as object },
          };
        },
      }),
    );
  }
  if (remove) {
    routes.push(
      route({
        method: 'DELETE',
        path: item,
        tag: r.tag,
        summary: remove.summary,
        scope: r.scopes.write,
        status: 204,
        params: r.params,
        conditional: true,
        async handler(engine, { params, principal, ifMatch }) {
          const id = idIn(params);
          const reason = remove.protect?.(engine, id);
          if (reason) throw conflict(reason);
          const before = await load(engine, id);
          checkIfMatch(present(engine, before), ifMatch);
          if ((await remove.remove(engine, before, principal, conditional(ifMatch) ? before : undefined)) === false) throw notFound(`${r.noun} ${id}`);
          return { change: { kind: r.kind, id: r.idOf(before), action: 'deleted', before: present(engine, before) as object } };
        },
      }),
    );
  }
  return routes;
}
