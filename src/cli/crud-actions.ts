/**
 * The five actions every CLI resource has (create, list, get, update, delete),
 * generated from one description of the resource: its management API path, how the
 * command names one item, its field flags (flags, their help, and how they change a
 * body, declared together), how one item is shown and how the list is tabled.
 * Update reads the item, applies the flags and writes it back with If-Match, so a
 * concurrent change fails (412) instead of being overwritten. A resource whose action
 * differs declares its own Action and sets the generated one aside.
 */
import { printJson, printTable } from './output.js';
import type { FlagSpec } from './parse-flags.js';
import { type Action, type ActionContext, bodyFrom, need } from './resource-verb.js';
import { listAll, seg, type Target } from './target.js';
import type { Io } from './verbs/verb.js';

/** Field flags declared once: what parses them, what `--help` says, what they change. */
export interface FieldFlags {
  flags: FlagSpec;
  help: string;
  apply(context: ActionContext, body: Record<string, unknown>): void | Promise<void>;
}

/** What `delete` prints: the JSON and the line it writes. */
export interface Deleted {
  json: unknown;
  text: string;
}

export interface CrudDescription<T> {
  /** The management API collection, e.g. `/apis`. */
  path: string;
  /** How messages name one item, e.g. `API` in "created API x". */
  noun: string;
  /** How the list names none, e.g. `no APIs`. */
  none: string;
  /** The positional argument naming an item, e.g. `IDENTIFIER`, and the body field it fills on create. */
  arg: string;
  idField: string;
  /** Create's argument, when it is not `arg` (users are named USER, created as USERNAME). */
  createArg?: string;
  /** The item the command names (e.g. by name or id), when the API path is not what was given. */
  find?: (target: Target, ref: string) => Promise<T>;
  /** The item's id in the API path, of an item `find` returned (its `idField` by default). */
  pathId?: (item: T) => string;
  /** A note on the argument, appended to `--help` of get, update and delete. */
  argHelp?: string;
  fields?: FieldFlags;
  show(io: Io, item: T): void;
  /** What create prints instead of "created NOUN id" and the item (without --json). */
  created?: (io: Io, item: T) => void;
  /** What delete prints, from what was given, the item found (with `find`) and the API's answer. */
  deleted?: (ref: string, item: T | undefined, result: unknown) => Deleted;
  table: { columns: string[]; row(item: T): (string | undefined)[] };
  /** The list's filters: their flags, help and synopsis, and the query they make. */
  listFilters?: { flags: FlagSpec; help: string; synopsis: string; query(context: ActionContext): Record<string, string | undefined> };
  /** What of a read item goes back in an update's body (all of it by default). */
  editable?: (item: T) => Record<string, unknown>;
  summaries: { create: string; list: string; get: string; update: string; delete: string };
  synopses: { create: string; update: string };
  /** Help before the field flags of create, and after them on update. */
  details?: { create?: string; update?: string };
  /** The last line of update's help; by default it says how If-Match guards the write ('' for none). */
  updateNote?: string;
  /** More flags and their effect on update only (e.g. --add-scope), after the field flags. */
  updateFlags?: { flags: FlagSpec; apply(context: ActionContext, body: Record<string, unknown>): void | Promise<void> };
}

const ifMatchNote = (noun: string) => `The ${noun} is read, changed and written back with If-Match: if someone changed it in
between, nothing is written and the command fails (412); run it again.`;

/** The create, list, get, update and delete actions of `d`, keyed by name. */
export function crudActions<T>(d: CrudDescription<T>) {
  const field = (item: T, name: string) => String((item as Record<string, unknown>)[name]);
  const pathId = d.pathId ?? ((item: T) => field(item, d.idField));
  /** The item's API path, and the item itself when `find` looked it up. */
  const locate = async (target: Target, ref: string): Promise<{ path: string; found?: T }> => {
    if (!d.find) return { path: `${d.path}/${seg(ref)}` };
    const found = await d.find(target, ref);
    return { path: `${d.path}/${seg(pathId(found))}`, found };
  };
  const written = (context: ActionContext, item: T, verb: string) => {
    if (context.json) return (printJson(context.io, item), 0);
    context.io.err(`${verb} ${d.noun} ${field(item, d.idField)}`);
    d.show(context.io, item);
    return 0;
  };
  const create: Action = {
    name: 'create',
    summary: d.summaries.create,
    synopsis: d.synopses.create,
    ...(d.fields || d.details?.create ? { details: [d.details?.create, d.fields?.help].filter(Boolean).join('\n') } : {}),
    ...(d.fields ? { flags: d.fields.flags } : {}),
    async run(context) {
      if (context.positionals.length > 1) throw context.usage(`unexpected argument ${context.positionals[1]}`);
      const body: Record<string, unknown> = { ...bodyFrom(context) };
      if (context.positionals[0] !== undefined) body[d.idField] = context.positionals[0];
      if (body[d.idField] === undefined) throw context.usage(`missing ${d.createArg ?? d.arg}`);
      await d.fields?.apply(context, body);
      const item = (await (await context.target()).call<T>('POST', d.path, { body })).body;
      if (d.created && !context.json) return (d.created(context.io, item), 0);
      return written(context, item, 'created');
    },
  };
  const list: Action = {
    name: 'list',
    summary: d.summaries.list,
    synopsis: d.listFilters?.synopsis ?? '',
    ...(d.listFilters ? { details: d.listFilters.help, flags: d.listFilters.flags } : {}),
    async run(context) {
      need(context);
      const query = d.listFilters?.query(context);
      const items = await listAll<T>(await context.target(), d.path, query);
      if (context.json) return (printJson(context.io, items), 0);
      printTable(context.io, d.table.columns, items.map(d.table.row), d.none);
      return 0;
    },
  };
  const get: Action = {
    name: 'get',
    summary: d.summaries.get,
    synopsis: d.arg,
    ...(d.argHelp ? { details: d.argHelp } : {}),
    async run(context) {
      const [ref] = need(context, d.arg);
      const target = await context.target();
      const { path, found } = await locate(target, ref!);
      const item = found ?? (await target.call<T>('GET', path)).body;
      if (context.json) printJson(context.io, item);
      else d.show(context.io, item);
      return 0;
    },
  };
  const update: Action = {
    name: 'update',
    summary: d.summaries.update,
    synopsis: d.synopses.update,
    details: [d.argHelp, d.fields?.help, d.details?.update, d.updateNote ?? ifMatchNote(d.noun)].filter(Boolean).join('\n'),
    flags: { ...d.fields?.flags, ...d.updateFlags?.flags },
    async run(context) {
      const [ref] = need(context, d.arg);
      const target = await context.target();
      const { path } = await locate(target, ref!);
      // Read again even when `find` found it: the ETag guards the write.
      const current = await target.call<T>('GET', path);
      const body: Record<string, unknown> = { ...(d.editable ? d.editable(current.body) : current.body), ...bodyFrom(context) };
      await d.fields?.apply(context, body);
      await d.updateFlags?.apply(context, body);
      return written(context, (await target.call<T>('PUT', path, { body, ...(current.etag ? { ifMatch: current.etag } : {}) })).body, 'updated');
    },
  };
  const remove: Action = {
    name: 'delete',
    summary: d.summaries.delete,
    synopsis: d.arg,
    ...(d.argHelp ? { details: d.argHelp } : {}),
    async run(context) {
      const [ref] = need(context, d.arg);
      const target = await context.target();
      const { path, found } = await locate(target, ref!);
      const result = (await target.call('DELETE', path)).body;
      const said = d.deleted?.(ref!, found, result) ?? { json: { deleted: ref }, text: `deleted ${d.noun} ${ref}` };
      if (context.json) printJson(context.io, said.json);
      else context.io.out(said.text);
      return 0;
    },
  };
  return { create, list, get, update, delete: remove };
}
