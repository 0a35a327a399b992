/**
 * The mail outbox (and the back-channel logout outbox, same shape) on PostgreSQL (see core/ports/outbox.ts). A claim is one
 * statement: the due rows are locked with SKIP LOCKED, so instances claiming at the
 * same moment each take different messages and none waits for another.
 */
import type pg from 'pg';
import type { OutboxMessage, OutboxRepository, OutboxStatus } from '../../core/ports/outbox.js';
import { MAX_ERROR_LENGTH, OUTBOX_COLUMNS, type OutboxTable, outboxCounts, outboxFromRow, outboxValues, type OutboxRow } from '../outbox-rows.js';

type Query = <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<pg.QueryResult<R>>;

export class PostgresOutbox implements OutboxRepository {
  readonly #query: Query;
  readonly #table: OutboxTable;

  constructor(query: Query, table: OutboxTable = 'mail_outbox') {
    this.#query = query;
    this.#table = table;
  }

  async enqueueMail(message: OutboxMessage): Promise<boolean> {
    const sql = `INSERT INTO ${this.#table} (${OUTBOX_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (event_key) DO NOTHING`;
    return ((await this.#query(sql, outboxValues(message))).rowCount ?? 0) > 0;
  }

  async claimMail(now: number, leaseUntil: number, limit: number): Promise<OutboxMessage[]> {
    const { rows } = await this.#query<OutboxRow>(
      `WITH due AS (
         SELECT id FROM ${this.#table} WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at, created_at LIMIT $3 FOR UPDATE SKIP LOCKED
       )
       UPDATE ${this.#table} m SET next_attempt_at = $2 FROM due WHERE m.id = due.id
       RETURNING ${OUTBOX_COLUMNS.split(', ')
         .map((c) => `m.${c}`)
         .join(', ')}`,
      [now, leaseUntil, limit],
    );
    return rows.map(outboxFromRow).sort((a, b) => a.createdAt - b.createdAt);
  }

  async markMailSent(id: string, at: number): Promise<void> {
    await this.#query(`UPDATE ${this.#table} SET status = 'sent', sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2`, [at, id]);
  }

  async markMailFailed(id: string, result: { attempts: number; status: 'pending' | 'failed'; nextAttemptAt: number; lastError: string }): Promise<void> {
    await this.#query(`UPDATE ${this.#table} SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $5`, [
      result.status,
      result.attempts,
      result.nextAttemptAt,
      result.lastError.slice(0, MAX_ERROR_LENGTH),
      id,
    ]);
  }

  async retryMail(id: string, now: number): Promise<boolean> {
    return (
      ((await this.#query(`UPDATE ${this.#table} SET status = 'pending', next_attempt_at = $1 WHERE id = $2 AND status = 'failed'`, [now, id])).rowCount ?? 0) >
      0
    );
  }

  async getMail(id: string): Promise<OutboxMessage | undefined> {
    const row = (await this.#query<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM ${this.#table} WHERE id = $1`, [id])).rows[0];
    return row ? outboxFromRow(row) : undefined;
  }

  async listMail(filter: { status?: OutboxStatus; limit: number }): Promise<OutboxMessage[]> {
    const where = filter.status ? 'WHERE status = $2' : '';
    const params = filter.status ? [filter.limit, filter.status] : [filter.limit];
    const { rows } = await this.#query<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM ${this.#table} ${where} ORDER BY created_at DESC, id DESC LIMIT $1`, params);
    return rows.map(outboxFromRow);
  }

  async countMail(): Promise<Record<OutboxStatus, number>> {
    return outboxCounts((await this.#query<{ status: OutboxStatus; n: string }>(`SELECT status, COUNT(*) AS n FROM ${this.#table} GROUP BY status`)).rows);
  }

  async deleteSentMail(before: number): Promise<number> {
    return (await this.#query(`DELETE FROM ${this.#table} WHERE status = 'sent' AND sent_at < $1`, [before])).rowCount ?? 0;
  }
}
