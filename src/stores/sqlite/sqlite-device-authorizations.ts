/**
 * Device authorizations on SQLite (see core/ports/device-authorizations.ts). Each
 * read-then-write runs in an immediate transaction, so it is atomic against other
 * connections to the same file.
 */
import type Database from 'better-sqlite3';
import type { DeviceApproval, DeviceAuthorization, DeviceAuthorizationRepository } from '../../core/ports/device-authorizations.js';
import { decidedDoc, DEVICE_COLUMNS, deviceFromRow, deviceValues, type DeviceRow } from '../device-rows.js';

export class SqliteDeviceAuthorizations implements DeviceAuthorizationRepository {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async insertDeviceAuthorization(authorization: DeviceAuthorization): Promise<boolean> {
    const sql = `INSERT INTO device_authorizations (${DEVICE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`;
    return this.#db.prepare(sql).run(...deviceValues(authorization)).changes > 0;
  }

  async findDeviceAuthorizationByUserCode(userCodeHash: string, now: number): Promise<DeviceAuthorization | undefined> {
    const row = this.#db.prepare(`SELECT ${DEVICE_COLUMNS} FROM device_authorizations WHERE user_code_hash = ? AND expires_at > ?`).get(userCodeHash, now) as
      | DeviceRow
      | undefined;
    return row ? deviceFromRow(row) : undefined;
  }

  async decideDeviceAuthorization(
    userCodeHash: string,
    decision: { status: 'approved'; approval: DeviceApproval } | { status: 'denied' },
    now: number,
  ): Promise<boolean> {
    const approval = decision.status === 'approved' ? decision.approval : undefined;
    return this.#db
      .transaction(() => {
        const row = this.#db
          .prepare("SELECT doc FROM device_authorizations WHERE user_code_hash = ? AND status = 'pending' AND expires_at > ?")
          .get(userCodeHash, now) as Pick<DeviceRow, 'doc'> | undefined;
        if (!row) return false;
        this.#db
          .prepare('UPDATE device_authorizations SET status = ?, user_id = ?, doc = ? WHERE user_code_hash = ?')
          .run(decision.status, approval?.userId ?? null, decidedDoc(row, approval), userCodeHash);
        return true;
      })
      .immediate();
  }

  async pollDeviceAuthorization(
    deviceCodeHash: string,
    now: number,
    slowDownStep: number,
  ): Promise<{ authorization: DeviceAuthorization; tooFast: boolean } | undefined> {
    return this.#db
      .transaction(() => {
        const row = this.#db.prepare(`SELECT ${DEVICE_COLUMNS} FROM device_authorizations WHERE device_code_hash = ?`).get(deviceCodeHash) as
          | DeviceRow
          | undefined;
        if (!row) return undefined;
        const authorization = deviceFromRow(row);
        const tooFast = authorization.lastPolledAt !== undefined && now - authorization.lastPolledAt < authorization.interval;
        this.#db
          .prepare('UPDATE device_authorizations SET last_polled_at = ?, poll_interval = ? WHERE device_code_hash = ?')
          .run(now, authorization.interval + (tooFast ? slowDownStep : 0), deviceCodeHash);
        return { authorization, tooFast };
      })
      .immediate();
  }

  async consumeDeviceAuthorization(deviceCodeHash: string): Promise<boolean> {
    return this.#db.prepare("DELETE FROM device_authorizations WHERE device_code_hash = ? AND status = 'approved'").run(deviceCodeHash).changes > 0;
  }

  async deleteDeviceAuthorization(deviceCodeHash: string): Promise<void> {
    this.#db.prepare('DELETE FROM device_authorizations WHERE device_code_hash = ?').run(deviceCodeHash);
  }

  async deleteExpiredDeviceAuthorizations(before: number): Promise<number> {
    return this.#db.prepare('DELETE FROM device_authorizations WHERE expires_at < ?').run(before).changes;
  }
}
