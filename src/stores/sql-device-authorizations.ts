/**
 * Device authorizations (RFC 8628) for both SQL stores (see
 * core/ports/device-authorizations.ts), written once over the SQL runner port
 * (./sql-runner.ts). A decision is a conditional update (only a pending, unexpired
 * row is decided, so of racing decisions one wins). A poll reads the row and records
 * the poll in one step: PostgreSQL in one statement that locks the row, so concurrent
 * polls are seen one after the other; SQLite, which cannot return a row as it was
 * before an update, by an update that applies only if nobody polled in between, read
 * again when somebody did.
 */
import type { DeviceApproval, DeviceAuthorization, DeviceAuthorizationRepository } from '../core/ports/device-authorizations.js';
import { DEVICE_COLUMNS, type DeviceRow, decidedDoc, deviceFromRow, deviceValues } from './device-rows.js';
import { inDialect, type SqlRunner } from './sql-runner.js';

type Polled = { authorization: DeviceAuthorization; tooFast: boolean };

function statements(runner: SqlRunner) {
  const columns = DEVICE_COLUMNS.split(', ');
  const text = {
    insert: `INSERT INTO device_authorizations (${DEVICE_COLUMNS}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`,
    byUserCode: `SELECT ${DEVICE_COLUMNS} FROM device_authorizations WHERE user_code_hash = ? AND expires_at > ?`,
    docByUserCode: 'SELECT doc FROM device_authorizations WHERE user_code_hash = ?',
    decide: "UPDATE device_authorizations SET status = ?, user_id = ?, doc = ? WHERE user_code_hash = ? AND status = 'pending' AND expires_at > ?",
    byDeviceCode: `SELECT ${DEVICE_COLUMNS} FROM device_authorizations WHERE device_code_hash = ?`,
    // The poll if nobody polled since the row was read (SQLite).
    recordPoll:
      'UPDATE device_authorizations SET last_polled_at = ?, poll_interval = ? WHERE device_code_hash = ? AND poll_interval = ? AND COALESCE(last_polled_at, -1) = ?',
    consume: "DELETE FROM device_authorizations WHERE device_code_hash = ? AND status = 'approved'",
    delete: 'DELETE FROM device_authorizations WHERE device_code_hash = ?',
    deleteExpired: 'DELETE FROM device_authorizations WHERE expires_at < ?',
  };
  return {
    ...(Object.fromEntries(Object.entries(text).map(([name, sql]) => [name, inDialect(sql, runner.dialect)])) as typeof text),
    // Read and record in one statement, the row locked (PostgreSQL). Parameters: the device code's hash, now, the slow-down step.
    pollLocked: `WITH before AS (
         SELECT ${DEVICE_COLUMNS}, (last_polled_at IS NOT NULL AND $2 - last_polled_at < poll_interval) AS too_fast
         FROM device_authorizations WHERE device_code_hash = $1 FOR UPDATE
       )
       UPDATE device_authorizations d
         SET last_polled_at = $2, poll_interval = before.poll_interval + CASE WHEN before.too_fast THEN $3::int ELSE 0 END
       FROM before WHERE d.device_code_hash = before.device_code_hash
       RETURNING ${columns.map((c) => `before.${c}`).join(', ')}, before.too_fast`,
  };
}

export class SqlDeviceAuthorizations implements DeviceAuthorizationRepository {
  readonly #run: SqlRunner;
  readonly #sql: ReturnType<typeof statements>;

  constructor(runner: SqlRunner) {
    this.#run = runner;
    this.#sql = statements(runner);
  }

  async insertDeviceAuthorization(authorization: DeviceAuthorization): Promise<boolean> {
    return (await this.#run.run(this.#sql.insert, deviceValues(authorization))) > 0;
  }

  async findDeviceAuthorizationByUserCode(userCodeHash: string, now: number): Promise<DeviceAuthorization | undefined> {
    const row = await this.#run.one<DeviceRow>(this.#sql.byUserCode, [userCodeHash, now]);
    return row ? deviceFromRow(row) : undefined;
  }

  async decideDeviceAuthorization(
    userCodeHash: string,
    decision: { status: 'approved'; approval: DeviceApproval } | { status: 'denied' },
    now: number,
  ): Promise<boolean> {
    const approval = decision.status === 'approved' ? decision.approval : undefined;
    const row = await this.#run.one<Pick<DeviceRow, 'doc'>>(this.#sql.docByUserCode, [userCodeHash]);
    if (!row) return false;
    // The document is fixed until the decision, which only a pending row takes.
    const changed = await this.#run.run(this.#sql.decide, [decision.status, approval?.userId ?? null, decidedDoc(row, approval), userCodeHash, now]);
    return changed > 0;
  }

  async pollDeviceAuthorization(deviceCodeHash: string, now: number, slowDownStep: number): Promise<Polled | undefined> {
    if (this.#run.dialect === 'postgres') {
      const row = await this.#run.one<DeviceRow & { too_fast: boolean }>(this.#sql.pollLocked, [deviceCodeHash, now, slowDownStep]);
      return row ? { authorization: deviceFromRow(row), tooFast: row.too_fast } : undefined;
    }
    for (;;) {
      const row = await this.#run.one<DeviceRow>(this.#sql.byDeviceCode, [deviceCodeHash]);
      if (!row) return undefined;
      const authorization = deviceFromRow(row);
      const tooFast = authorization.lastPolledAt !== undefined && now - authorization.lastPolledAt < authorization.interval;
      const interval = authorization.interval + (tooFast ? slowDownStep : 0);
      const recorded = await this.#run.run(this.#sql.recordPoll, [now, interval, deviceCodeHash, authorization.interval, authorization.lastPolledAt ?? -1]);
      // Nobody polled in between: this poll is the next one. Otherwise read the row again.
      if (recorded > 0) return { authorization, tooFast };
    }
  }

  async consumeDeviceAuthorization(deviceCodeHash: string): Promise<boolean> {
    return (await this.#run.run(this.#sql.consume, [deviceCodeHash])) > 0;
  }

  async deleteDeviceAuthorization(deviceCodeHash: string): Promise<void> {
    await this.#run.run(this.#sql.delete, [deviceCodeHash]);
  }

  async deleteExpiredDeviceAuthorizations(before: number): Promise<number> {
    return this.#run.run(this.#sql.deleteExpired, [before]);
  }
}
