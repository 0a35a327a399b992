/**
 * The mail outbox (and the back-channel logout outbox, same shape) on SQLite (see core/ports/outbox.ts). One writer at a time makes
 * a claim (select the due messages, push their next attempt past the lease) atomic
 * inside an immediate transaction.
 */
import type Database from 'better-sqlite3';
import type { OutboxMessage, OutboxRepository, OutboxStatus } from '../../core/ports/outbox.js';
import { MAX_ERROR_LENGTH, OUTBOX_COLUMNS, type OutboxTable, outboxCounts, outboxFromRow, outboxValues, type OutboxRow } from '../outbox-rows.js';

export class SqliteOutbox implements OutboxRepository {
  readonly #db: Database.Database;
  readonly #table: OutboxTable;

  constructor(db: Database.Database, table: OutboxTable = 'mail_outbox') {
    this.#db = db;
    this.#table = table;
  }

  async enqueueMail(message: OutboxMessage): Promise<boolean> {
    const sql = `INSERT INTO ${this.#table} (${OUTBOX_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_key) DO NOTHING`;
    return this.#db.prepare(sql).run(...outboxValues(message)).changes > 0;
  }

  async claimMail(now: number, leaseUntil: number, limit: number): Promise<OutboxMessage[]> {
    return this.#db
      .transaction(() => {
        const rows = this.#db
          .prepare(
            `SELECT ${OUTBOX_COLUMNS} FROM ${this.#table} WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at LIMIT ?`,
          )
          .all(now, limit) as OutboxRow[];
        const claim = this.#db.prepare(`UPDATE ${this.#table} SET next_attempt_at = ? WHERE id = ?`);
        for (const row of rows) claim.run(leaseUntil, row.id);
        return rows.map(outboxFromRow);
      })
      .immediate();
  }

  async markMailSent(id: string, at: number): Promise<void> {
    this.#db.prepare(`UPDATE ${this.#table} SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?`).run(at, id);
  }

  async markMailFailed(id: string, result: { attempts: number; status: 'pending' | 'failed'; nextAttemptAt: number; lastError: string }): Promise<void> {
    this.#db
      .prepare(`UPDATE ${this.#table} SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?`)
      .run(result.status, result.attempts, result.nextAttemptAt, result.lastError.slice(0, MAX_ERROR_LENGTH), id);
  }

  async retryMail(id: string, now: number): Promise<boolean> {
    return this.#db.prepare(`UPDATE ${this.#table} SET status = 'pending', next_attempt_at = ? WHERE id = ? AND status = 'failed'`).run(now, id).changes > 0;
  }

  async getMail(id: string): Promise<OutboxMessage | undefined> {
    const row = this.#db.prepare(`SELECT ${OUTBOX_COLUMNS} FROM ${this.#table} WHERE id = ?`).get(id) as OutboxRow | undefined;
    return row ? outboxFromRow(row) : undefined;
  }

  async listMail(filter: { status?: OutboxStatus; limit: number }): Promise<OutboxMessage[]> {
    const where = filter.status ? 'WHERE status = ?' : '';
    const params = filter.status ? [filter.status, filter.limit] : [filter.limit];
    const rows = this.#db
      .prepare(`SELECT ${OUTBOX_COLUMNS} FROM ${this.#table} ${where} ORDER BY created_at DESC, id DESC LIMIT ?`)
      .all(...params) as OutboxRow[];
    return rows.map(outboxFromRow);
  }

  async countMail(): Promise<Record<OutboxStatus, number>> {
    return outboxCounts(this.#db.prepare(`SELECT status, COUNT(*) AS n FROM ${this.#table} GROUP BY status`).all() as { status: OutboxStatus; n: number }[]);
  }

  async deleteSentMail(before: number): Promise<number> {
    return this.#db.prepare(`DELETE FROM ${this.#table} WHERE status = 'sent' AND sent_at < ?`).run(before).changes;
  }
}
