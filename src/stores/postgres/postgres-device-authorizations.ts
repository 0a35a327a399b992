/**
 * Device authorizations on PostgreSQL (see core/ports/device-authorizations.ts).
 * Decisions and consumption are conditional statements (only a pending row is decided); a poll locks its row
 * (FOR UPDATE) so that concurrent polls are seen one after the other.
 */
import type pg from 'pg';
import type { DeviceApproval, DeviceAuthorization, DeviceAuthorizationRepository } from '../../core/ports/device-authorizations.js';
import { decidedDoc, DEVICE_COLUMNS, deviceFromRow, deviceValues, type DeviceRow } from '../device-rows.js';

type Query = <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<pg.QueryResult<R>>;

export class PostgresDeviceAuthorizations implements DeviceAuthorizationRepository {
  readonly #query: Query;

  constructor(query: Query) {
    this.#query = query;
  }

  async insertDeviceAuthorization(authorization: DeviceAuthorization): Promise<boolean> {
    const sql = `INSERT INTO device_authorizations (${DEVICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`;
    return ((await this.#query(sql, deviceValues(authorization))).rowCount ?? 0) > 0;
  }

  async findDeviceAuthorizationByUserCode(userCodeHash: string, now: number): Promise<DeviceAuthorization | undefined> {
    const { rows } = await this.#query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM device_authorizations WHERE user_code_hash = $1 AND expires_at > $2`, [
      userCodeHash,
      now,
    ]);
    return rows[0] ? deviceFromRow(rows[0]) : undefined;
  }

  async decideDeviceAuthorization(
    userCodeHash: string,
    decision: { status: 'approved'; approval: DeviceApproval } | { status: 'denied' },
    now: number,
  ): Promise<boolean> {
    const approval = decision.status === 'approved' ? decision.approval : undefined;
    const { rows } = await this.#query<Pick<DeviceRow, 'doc'>>('SELECT doc FROM device_authorizations WHERE user_code_hash = $1', [userCodeHash]);
    if (!rows[0]) return false;
    // Only a pending row changes, so of racing decisions one wins; the document is fixed until then.
    const result = await this.#query(
      "UPDATE device_authorizations SET status = $2, user_id = $3, doc = $4 WHERE user_code_hash = $1 AND status = 'pending' AND expires_at > $5",
      [userCodeHash, decision.status, approval?.userId ?? null, decidedDoc(rows[0], approval), now],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async pollDeviceAuthorization(
    deviceCodeHash: string,
    now: number,
    slowDownStep: number,
  ): Promise<{ authorization: DeviceAuthorization; tooFast: boolean } | undefined> {
    const { rows } = await this.#query<DeviceRow & { too_fast: boolean }>(
      `WITH before AS (
         SELECT ${DEVICE_COLUMNS}, (last_polled_at IS NOT NULL AND $2 - last_polled_at < poll_interval) AS too_fast
         FROM device_authorizations WHERE device_code_hash = $1 FOR UPDATE
       )
       UPDATE device_authorizations d
         SET last_polled_at = $2, poll_interval = before.poll_interval + CASE WHEN before.too_fast THEN $3::int ELSE 0 END
       FROM before WHERE d.device_code_hash = before.device_code_hash
       RETURNING ${DEVICE_COLUMNS.split(', ')
         .map((c) => `before.${c}`)
         .join(', ')}, before.too_fast`,
      [deviceCodeHash, now, slowDownStep],
    );
    const row = rows[0];
    return row ? { authorization: deviceFromRow(row), tooFast: row.too_fast } : undefined;
  }

  async consumeDeviceAuthorization(deviceCodeHash: string): Promise<boolean> {
    const result = await this.#query("DELETE FROM device_authorizations WHERE device_code_hash = $1 AND status = 'approved'", [deviceCodeHash]);
    return (result.rowCount ?? 0) > 0;
  }

  async deleteDeviceAuthorization(deviceCodeHash: string): Promise<void> {
    await this.#query('DELETE FROM device_authorizations WHERE device_code_hash = $1', [deviceCodeHash]);
  }

  async deleteExpiredDeviceAuthorizations(before: number): Promise<number> {
    return (await this.#query('DELETE FROM device_authorizations WHERE expires_at < $1', [before])).rowCount ?? 0;
  }
}
