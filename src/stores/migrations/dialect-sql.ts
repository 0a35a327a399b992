/**
 * SQL written once for both stores. A statement is a `sql` tagged template whose
 * interpolations may be dialect-dependent pieces (a column type, a JSON field read, or
 * a `perDialect` choice); `render` turns it into one dialect's text. Plain strings and
 * numbers are pasted as they are (these are schema statements: no user values).
 *
 * The types are the ones the two stores have always used: epoch seconds are BIGINT in
 * PostgreSQL and INTEGER in SQLite (whose integers are all 64-bit); documents are TEXT
 * holding JSON in both, so they read back exactly as written (JSONB would reorder keys).
 */

export type Dialect = 'sqlite' | 'postgres';

/** A piece of SQL whose text depends on the dialect. */
export interface DialectSql {
  render(dialect: Dialect): string;
}

type Piece = DialectSql | string | number;

const renderPiece = (piece: Piece, dialect: Dialect): string => (typeof piece === 'object' ? piece.render(dialect) : String(piece));

/** A statement (or part of one) written once: `sql\`CREATE TABLE t (at ${BIGINT} NOT NULL)\``. */
export function sql(strings: TemplateStringsArray, ...pieces: Piece[]): DialectSql {
  return {
    render: (dialect) => strings.reduce((text, part, i) => text + part + (i < pieces.length ? renderPiece(pieces[i]!, dialect) : ''), ''),
  };
}

/** The escape hatch: a statement, or part of one, that differs between the dialects. */
export function perDialect(text: Record<Dialect, string>): DialectSql {
  return { render: (dialect) => text[dialect] };
}

/** A 64-bit integer (epoch seconds, counters, sequences). */
export const BIGINT = perDialect({ sqlite: 'INTEGER', postgres: 'BIGINT' });
/** A small integer (a one-row table's fixed id). */
export const SMALLINT = perDialect({ sqlite: 'INTEGER', postgres: 'SMALLINT' });

/** A text field of a JSON document held in a TEXT column: `jsonText('doc', 'email')`. */
export function jsonText(column: string, field: string): DialectSql {
  return perDialect({ sqlite: `json_extract(${column}, '$.${field}')`, postgres: `${column}::json->>'${field}'` });
}

/** An integer field of a JSON document held in a TEXT column. */
export function jsonInteger(column: string, field: string): DialectSql {
  return perDialect({ sqlite: `json_extract(${column}, '$.${field}')`, postgres: `(${column}::json->>'${field}')::bigint` });
}

/** Renders a statement list as one script, each statement ended by a semicolon. */
export function renderScript(statements: readonly DialectSql[], dialect: Dialect): string {
  return statements.map((statement) => `${statement.render(dialect).trim()};`).join('\n');
}
