/**
 * One document table's CRUD, from its definition (./document-tables.ts), for either
 * SQL store. The SQL is written once per table and dialect, when the store is made;
 * a call then only binds values and runs a fixed statement through the store's own
 * driver (the `DocumentRunner`): no SQL is built per call, and the text is the same
 * every time, so the drivers' statement caches keep working.
 */
import type { DocumentTable } from './document-tables.js';

/** What differs between the two dialects in these statements. */
export interface SqlDialect {
  /** The n-th (1-based) bound parameter: `?` or `$n`. */
  placeholder(n: number): string;
  /** A text column in ORDER BY: PostgreSQL sorts bytes only with COLLATE "C", as SQLite does. */
  orderText(column: string): string;
  /**
   * Ends a SELECT that must hold its row until the transaction ends: ` FOR UPDATE` on
   * PostgreSQL; nothing on SQLite, whose write transactions run one at a time.
   */
  lockRow: string;
}

export const SQLITE_DIALECT: SqlDialect = {
  placeholder: () => '?',
  orderText: (column) => column,
  lockRow: '',
};

export const POSTGRES_DIALECT: SqlDialect = {
  placeholder: (n) => `$${n}`,
  orderText: (column) => `${column} COLLATE "C"`,
  lockRow: ' FOR UPDATE',
};

/** A store's way to run a statement; each store runs them through its own driver. */
export interface DocumentRunner {
  /** The `doc` column of the first row the statement returns. */
  doc(sql: string, params: unknown[]): Promise<string | undefined>;
  /** The `doc` column of the rows the statement returns. */
  docs(sql: string, params: unknown[]): Promise<string[]>;
  /** How many rows the statement changed. */
  changes(sql: string, params: unknown[]): Promise<number>;
  /** Runs the statements in one transaction; how many rows the last one changed. */
  changesInTransaction(statements: readonly (readonly [sql: string, params: unknown[]])[]): Promise<number>;
}

interface Statements {
  get: string;
  list: string;
  /** SELECT by one column, sorted; one per column. */
  by: Record<string, string>;
  upsert: string;
  insertOnce: string;
  update: string;
  /** UPDATE every column and the document, where the key (and owner) match and the document is the one read. */
  replaceIf: string;
  delete: string;
  /** DELETE where the key (and owner) match and the document is the one read. */
  deleteIf: string;
  deleteDependents: string[];
  /** The dependents, deleted only while their row is still the one read (and held until the end). */
  deleteDependentsIf: string[];
  /** DELETE by one column; one per column. */
  deleteBy: Record<string, string>;
}

function compile<T>(table: DocumentTable<T>, dialect: SqlDialect): Statements {
  if (table.dependents && table.key.length !== 1) throw new TypeError(`${table.table}: dependents need a one-column key`);
  if (table.keep && table.upsertOn?.length !== 1) throw new TypeError(`${table.table}: keep needs one upsertOn column`);
  const names = Object.keys(table.columns);
  const where = (columns: readonly string[], from = 1) => columns.map((c, i) => `${c} = ${dialect.placeholder(from + i)}`).join(' AND ');
  const orderBy = table.order.map((c) => (table.columns[c]?.type === 'text' ? dialect.orderText(c) : c)).join(', ');
  const values = [...names, 'doc'].map((_, i) => dialect.placeholder(i + 1)).join(', ');
  const insert = `INSERT INTO ${table.table} (${names.join(', ')}, doc) VALUES (${values})`;
  const conflict = table.upsertOn ?? table.key;
  const replaced = [...names.filter((c) => !table.key.includes(c) && !conflict.includes(c)), 'doc'];
  const select = `SELECT doc FROM ${table.table}`;
  const one = table.owner ? [...table.key, table.owner] : table.key;
  const set = [...names.filter((c) => !one.includes(c)), 'doc'];
  const whereIs = (from: number) => `${where(one, from)} AND doc = ${dialect.placeholder(from + one.length)}`;
  return {
    get: `${select} WHERE ${where(table.key)}`,
    list: `${select} ORDER BY ${orderBy}`,
    by: Object.fromEntries(names.map((c) => [c, `${select} WHERE ${where([c])} ORDER BY ${orderBy}`])),
    upsert: `${insert} ON CONFLICT (${conflict.join(', ')}) DO UPDATE SET ${replaced.map((c) => `${c} = excluded.${c}`).join(', ')}`,
    insertOnce: `${insert} ON CONFLICT DO NOTHING`,
    update: `UPDATE ${table.table} SET doc = ${dialect.placeholder(1)} WHERE ${where(one, 2)}`,
    replaceIf: `UPDATE ${table.table} SET ${set.map((c, i) => `${c} = ${dialect.placeholder(i + 1)}`).join(', ')} WHERE ${whereIs(set.length + 1)}`,
    delete: `DELETE FROM ${table.table} WHERE ${where(one)}`,
    deleteIf: `DELETE FROM ${table.table} WHERE ${whereIs(1)}`,
    deleteDependentsIf: (table.dependents ?? []).map(
      (d) =>
        `DELETE FROM ${d.table} WHERE ${d.column} = ${dialect.placeholder(1)} AND EXISTS (SELECT 1 FROM ${table.table} WHERE ${whereIs(2)}${dialect.lockRow})`,
    ),
    deleteBy: Object.fromEntries(names.map((c) => [c, `DELETE FROM ${table.table} WHERE ${where([c])}`])),
    deleteDependents: (table.dependents ?? []).map((d) => `DELETE FROM ${d.table} WHERE ${d.column} = ${dialect.placeholder(1)}`),
  };
}

const parse = <T>(doc: string): T => JSON.parse(doc) as T;

export class DocumentCollection<T> {
  readonly #table: DocumentTable<T>;
  readonly #run: DocumentRunner;
  readonly #sql: Statements;
  readonly #columns: DocumentTable<T>['columns'][string][];
  /** The columns replaceIf sets (all but the key and owner), in its statement's order. */
  readonly #replaced: DocumentTable<T>['columns'][string][];

  constructor(table: DocumentTable<T>, dialect: SqlDialect, runner: DocumentRunner) {
    this.#table = table;
    this.#run = runner;
    this.#sql = compile(table, dialect);
    this.#columns = Object.values(table.columns);
    const one: readonly string[] = table.owner ? [...table.key, table.owner] : table.key;
    this.#replaced = Object.entries(table.columns)
      .filter(([name]) => !one.includes(name))
      .map(([, column]) => column);
  }

  /** The document whose key is `key` (the key columns' values, in order). */
  async get(...key: string[]): Promise<T | undefined> {
    const doc = await this.#run.doc(this.#sql.get, key);
    return doc === undefined ? undefined : parse<T>(doc);
  }

  /** The first document whose `column` is `value` (unique columns: the one). */
  async find(column: string, value: string): Promise<T | undefined> {
    const doc = await this.#run.doc(this.#statementBy(column), [value]);
    return doc === undefined ? undefined : parse<T>(doc);
  }

  /** The documents whose `column` is `value`, in the table's order. */
  async listBy(column: string, value: string): Promise<T[]> {
    return (await this.#run.docs(this.#statementBy(column), [value])).map(parse<T>);
  }

  async list(): Promise<T[]> {
    return (await this.#run.docs(this.#sql.list, [])).map(parse<T>);
  }

  /**
   * Inserts, or replaces the row with the same key (or `upsertOn` columns); returns
   * the document as stored, after the definition's `keep`.
   */
  async upsert(doc: T): Promise<T> {
    let stored = doc;
    const { keep, upsertOn } = this.#table;
    if (keep && upsertOn) {
      const columns = this.#table.columns;
      const existing = await this.find(upsertOn[0]!, String(columns[upsertOn[0]!]!.value(doc)));
      if (existing) stored = keep(existing, doc);
    }
    await this.#run.changes(this.#sql.upsert, this.#values(stored));
    return stored;
  }

  /** Inserts unless a row with the same key (or another unique value) exists; true if it inserted. */
  async insertOnce(doc: T): Promise<boolean> {
    return (await this.#run.changes(this.#sql.insertOnce, this.#values(doc))) > 0;
  }

  /** Replaces the document of its row (with the same key, and owner if the table has one); true if there was one. */
  async update(doc: T): Promise<boolean> {
    return (await this.#run.changes(this.#sql.update, [JSON.stringify(doc), ...this.#match(doc)])) > 0;
  }

  /**
   * Compare-and-set: replaces `expected` with `next` (the same key) only if the stored
   * document is still `expected`, in one statement, so of two writers that read the
   * same document exactly one succeeds. False if it changed or is gone.
   */
  async replaceIf(expected: T, next: T): Promise<boolean> {
    const match = this.#match(expected);
    const set = this.#replaced.map((c) => c.value(next));
    const run = (text: string) => this.#run.changes(this.#sql.replaceIf, [...set, JSON.stringify(next), ...match, text]);
    if ((await run(JSON.stringify(expected))) > 0) return true;
    const stored = await this.#storedAs(expected);
    return stored !== undefined && (await run(stored)) > 0;
  }

  /** Compare-and-delete: deletes `expected` and its dependents only if it is still stored as read; false if not. */
  async deleteIf(expected: T): Promise<boolean> {
    const match = this.#match(expected);
    const run = async (text: string) => {
      if (this.#sql.deleteDependentsIf.length === 0) return (await this.#run.changes(this.#sql.deleteIf, [...match, text])) > 0;
      const statements: [string, unknown[]][] = [
        ...this.#sql.deleteDependentsIf.map((sql): [string, unknown[]] => [sql, [match[0], ...match, text]]),
        [this.#sql.deleteIf, [...match, text]],
      ];
      return (await this.#run.changesInTransaction(statements)) > 0;
    };
    if (await run(JSON.stringify(expected))) return true;
    const stored = await this.#storedAs(expected);
    return stored !== undefined && run(stored);
  }

  /**
   * Deletes the row whose key is `key` (then the owner's value, if the table has an
   * owner), and its dependents with it; true if there was one.
   */
  async delete(...key: string[]): Promise<boolean> {
    if (this.#sql.deleteDependents.length === 0) return (await this.#run.changes(this.#sql.delete, key)) > 0;
    const statements = [...this.#sql.deleteDependents.map((sql) => [sql, key] as const), [this.#sql.delete, key] as const];
    return (await this.#run.changesInTransaction(statements)) > 0;
  }

  /**
   * Deletes every row whose `column` is `value` (a client's consents, say); how many.
   * Rows of tables with dependents go one by one through `delete`, not this way.
   */
  deleteBy(column: string, value: string): Promise<number> {
    const sql = this.#sql.deleteBy[column];
    if (sql === undefined) throw new TypeError(`${this.#table.table} has no column ${column}`);
    if (this.#sql.deleteDependents.length > 0) throw new TypeError(`${this.#table.table}: rows with dependents are deleted by key`);
    return this.#run.changes(sql, [value]);
  }

  /** The key's (and owner's) values of `doc`. */
  #match(doc: T): unknown[] {
    const { key, owner, columns } = this.#table;
    return (owner ? [...key, owner] : key).map((c) => columns[c]!.value(doc));
  }

  /**
   * The stored text of a document equal to `expected` but written in another form (by
   * an older writer, or a migration), to compare against; undefined if it is not equal.
   */
  async #storedAs(expected: T): Promise<string | undefined> {
    const text = JSON.stringify(expected);
    const stored = await this.#run.doc(
      this.#sql.get,
      this.#table.key.map((c) => this.#table.columns[c]!.value(expected)),
    );
    return stored !== undefined && stored !== text && JSON.stringify(parse<T>(stored)) === text ? stored : undefined;
  }

  /** The columns' values and the document, in insert order. */
  #values(doc: T): unknown[] {
    const values: unknown[] = this.#columns.map((c) => c.value(doc));
    values.push(JSON.stringify(doc));
    return values;
  }

  #statementBy(column: string): string {
    const sql = this.#sql.by[column];
    if (sql === undefined) throw new TypeError(`${this.#table.table} has no column ${column}`);
    return sql;
  }
}
