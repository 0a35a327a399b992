/**
 * The table shapes the schema repeats, each written once for the migrations
 * (./migrations.ts): a JSON-document table (an entity of ../document-tables.ts), and
 * an outbox (../outbox-rows.ts). The text keeps the layout the statements had when
 * written by hand (SQLite keeps a table's CREATE text verbatim in sqlite_master). A released migration that uses one renders the same
 * SQL for ever: ./released-migrations.test.ts pins it, so a shape changes only by
 * adding a new helper or a new migration, never by editing these.
 */
import { BIGINT, type DialectSql, sql } from './dialect-sql.js';

/**
 * A document table: the columns it is found by, then the document (`doc`, JSON text),
 * then a composite primary key if `primaryKey` is given (else a column says PRIMARY KEY).
 */
export function documentTable(name: string, columns: readonly (string | DialectSql)[], primaryKey?: readonly string[]): DialectSql {
  const parts: (string | DialectSql)[] = [...columns, 'doc TEXT NOT NULL', ...(primaryKey ? [`PRIMARY KEY (${primaryKey.join(', ')})`] : [])];
  return { render: (dialect) => `CREATE TABLE ${name} (${parts.map((p) => (typeof p === 'string' ? p : p.render(dialect))).join(', ')})` };
}

/**
 * An outbox table (mail, back-channel logout deliveries) and its two indexes: the due
 * messages (a claim) and the newest first (the console's list, pruning).
 */
export function outboxTable(name: string): DialectSql[] {
  return [
    sql`CREATE TABLE ${name} (
        id TEXT PRIMARY KEY,
        event_key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        recipient TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
        attempts INTEGER NOT NULL,
        next_attempt_at ${BIGINT} NOT NULL,
        last_error TEXT,
        created_at ${BIGINT} NOT NULL,
        sent_at ${BIGINT}
      )`,
    sql`CREATE INDEX ${name}_due ON ${name} (status, next_attempt_at)`,
    sql`CREATE INDEX ${name}_created ON ${name} (created_at)`,
  ];
}
