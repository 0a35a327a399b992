/**
 * The mail outbox (and the back-channel logout outbox, same shape) for both SQL stores
 * (see core/ports/outbox.ts), written once over the SQL runner port (./sql-runner.ts).
 * A claim is one statement that picks the due messages and pushes their next attempt
 * past the lease: PostgreSQL locks the rows it picks with SKIP LOCKED, so instances
 * claiming at the same moment each take different messages and none waits; SQLite
 * runs a writing statement under the database's one write lock, so it is atomic too.
 */
import type { OutboxMessage, OutboxRepository, OutboxStatus } from '../core/ports/outbox.js';
import { MAX_ERROR_LENGTH, OUTBOX_COLUMNS, type OutboxRow, type OutboxTable, outboxCounts, outboxFromRow, outboxValues } from './outbox-rows.js';
import { inDialect, type SqlRunner } from './sql-runner.js';

/** Every statement, in the runner's dialect, made once per table. */
function statements(table: OutboxTable, runner: SqlRunner) {
  const columns = OUTBOX_COLUMNS.split(', ');
  const due = `SELECT id FROM ${table} WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at LIMIT ?`;
  // Parameters: now, limit, the lease's end.
  const claim =
    runner.dialect === 'postgres'
      ? `WITH due AS (${due} FOR UPDATE SKIP LOCKED)
         UPDATE ${table} m SET next_attempt_at = ? FROM due WHERE m.id = due.id
         RETURNING ${columns.map((c) => `m.${c}`).join(', ')}`
      : `WITH due AS (${due}) UPDATE ${table} SET next_attempt_at = ? WHERE id IN (SELECT id FROM due) RETURNING ${OUTBOX_COLUMNS}`;
  const select = `SELECT ${OUTBOX_COLUMNS} FROM ${table}`;
  const text = {
    enqueue: `INSERT INTO ${table} (${OUTBOX_COLUMNS}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT (event_key) DO NOTHING`,
    claim,
    sent: `UPDATE ${table} SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?`,
    failed: `UPDATE ${table} SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?`,
    retry: `UPDATE ${table} SET status = 'pending', next_attempt_at = ? WHERE id = ? AND status = 'failed'`,
    get: `${select} WHERE id = ?`,
    list: `${select} ORDER BY created_at DESC, id DESC LIMIT ?`,
    listByStatus: `${select} WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
    count: `SELECT status, COUNT(*) AS n FROM ${table} GROUP BY status`,
    deleteSent: `DELETE FROM ${table} WHERE status = 'sent' AND sent_at < ?`,
  };
  return Object.fromEntries(Object.entries(text).map(([name, sql]) => [name, inDialect(sql, runner.dialect)])) as typeof text;
}

export class SqlOutbox implements OutboxRepository {
  readonly #run: SqlRunner;
  readonly #sql: ReturnType<typeof statements>;

  constructor(runner: SqlRunner, table: OutboxTable = 'mail_outbox') {
    this.#run = runner;
    this.#sql = statements(table, runner);
  }

  async enqueueMail(message: OutboxMessage): Promise<boolean> {
    return (await this.#run.run(this.#sql.enqueue, outboxValues(message))) > 0;
  }

  /** The claimed messages (as they are after the claim), oldest first. */
  async claimMail(now: number, leaseUntil: number, limit: number): Promise<OutboxMessage[]> {
    const rows = await this.#run.query<OutboxRow>(this.#sql.claim, [now, limit, leaseUntil]);
    return rows.map(outboxFromRow).sort((a, b) => a.createdAt - b.createdAt);
  }

  async markMailSent(id: string, at: number): Promise<void> {
    await this.#run.run(this.#sql.sent, [at, id]);
  }

  async markMailFailed(id: string, result: { attempts: number; status: 'pending' | 'failed'; nextAttemptAt: number; lastError: string }): Promise<void> {
    await this.#run.run(this.#sql.failed, [result.status, result.attempts, result.nextAttemptAt, result.lastError.slice(0, MAX_ERROR_LENGTH), id]);
  }

  async retryMail(id: string, now: number): Promise<boolean> {
    return (await this.#run.run(this.#sql.retry, [now, id])) > 0;
  }

  async getMail(id: string): Promise<OutboxMessage | undefined> {
    const row = await this.#run.one<OutboxRow>(this.#sql.get, [id]);
    return row ? outboxFromRow(row) : undefined;
  }

  async listMail(filter: { status?: OutboxStatus; limit: number }): Promise<OutboxMessage[]> {
    const rows = filter.status
      ? await this.#run.query<OutboxRow>(this.#sql.listByStatus, [filter.status, filter.limit])
      : await this.#run.query<OutboxRow>(this.#sql.list, [filter.limit]);
    return rows.map(outboxFromRow);
  }

  async countMail(): Promise<Record<OutboxStatus, number>> {
    return outboxCounts(await this.#run.query<{ status: OutboxStatus; n: number | string }>(this.#sql.count));
  }

  async deleteSentMail(before: number): Promise<number> {
    return this.#run.run(this.#sql.deleteSent, [before]);
  }
}
