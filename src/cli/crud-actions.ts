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
  apply(context: ActionContext, body: Record<string, unknown>): void;
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
  /** The item's id in the API path, from what the command was given (e.g. a name resolved to an id). */
  resolve?: (target: Target, ref: string) => Promise<string>;
  /** A note on the argument, appended to `--help` of get, update and delete. */
  argHelp?: string;
  fields?: FieldFlags;
  show(io: Io, item: T): void;
  table: { columns: string[]; row(item: T): (string | undefined)[] };
  /** What of a read item goes back in an update's body (all of it by default). */
  editable?: (item: T) => Record<string, unknown>;
  summaries: { create: string; list: string; get: string; update: string; delete: string };
  synopses: { create: string; update: string };
  /** Help before the field flags of create, and after them on update. */
  details?: { create?: string; update?: string };
  /** The last line of update's help; by default it says how If-Match guards the write ('' for none). */
  updateNote?: string;
  /** More flags and their effect on update only (e.g. --add-scope), after the field flags. */
  updateFlags?: { flags: FlagSpec; apply(context: ActionContext, body: Record<string, unknown>): void };
}

const ifMatchNote = (noun: string) => `The ${noun} is read, changed and written back with If-Match: if someone changed it in
between, nothing is written and the command fails (412); run it again.`;

/** The create, list, get, update and delete actions of `d`, keyed by name. */
export function crudActions<T>(d: CrudDescription<T>) {
  const id = (item: T) => String((item as Record<string, unknown>)[d.idField]);
  const pathOf = async (target: Target, ref: string) => `${d.path}/${seg(d.resolve ? await d.resolve(target, ref) : ref)}`;
  const written = (context: ActionContext, item: T, verb: string) => {
    if (context.json) return (printJson(context.io, item), 0);
    context.io.err(`${verb} ${d.noun} ${id(item)}`);
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
      if (body[d.idField] === undefined) throw context.usage(`missing ${d.arg}`);
      d.fields?.apply(context, body);
      return written(context, (await (await context.target()).call<T>('POST', d.path, { body })).body, 'created');
    },
  };
  const list: Action = {
    name: 'list',
    summary: d.summaries.list,
    synopsis: '',
    async run(context) {
      need(context);
      const items = await listAll<T>(await context.target(), d.path);
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
      const item = (await target.call<T>('GET', await pathOf(target, ref!))).body;
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
      const path = await pathOf(target, ref!);
      const current = await target.call<T>('GET', path);
      const body: Record<string, unknown> = { ...(d.editable ? d.editable(current.body) : current.body), ...bodyFrom(context) };
      d.fields?.apply(context, body);
      d.updateFlags?.apply(context, body);
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
      await target.call('DELETE', await pathOf(target, ref!));
      if (context.json) printJson(context.io, { deleted: ref });
      else context.io.out(`deleted ${d.noun} ${ref}`);
      return 0;
    },
  };
  return { create, list, get, update, delete: remove };
}
