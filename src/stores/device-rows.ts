/** Device authorizations' rows, shared by the SQLite and PostgreSQL stores. */
import type { DeviceAuthorization, DeviceAuthorizationStatus } from '../core/ports/device-authorizations.js';

export interface DeviceRow {
  device_code_hash: string;
  user_code_hash: string;
  client_id: string;
  status: DeviceAuthorizationStatus;
  user_id: string | null;
  created_at: number;
  expires_at: number;
  poll_interval: number;
  last_polled_at: number | null;
  doc: string;
}

/** What is not searched by lives in the document. */
type DeviceDoc = Pick<DeviceAuthorization, 'scopes' | 'api' | 'approval'>;

export const DEVICE_COLUMNS = 'device_code_hash, user_code_hash, client_id, status, user_id, created_at, expires_at, poll_interval, last_polled_at, doc';

export function deviceValues(a: DeviceAuthorization): unknown[] {
  const doc: DeviceDoc = { scopes: a.scopes, ...(a.api !== undefined ? { api: a.api } : {}), ...(a.approval ? { approval: a.approval } : {}) };
  return [
    a.deviceCodeHash,
    a.userCodeHash,
    a.clientId,
    a.status,
    a.approval?.userId ?? null,
    a.createdAt,
    a.expiresAt,
    a.interval,
    a.lastPolledAt ?? null,
    JSON.stringify(doc),
  ];
}

export function deviceFromRow(row: DeviceRow): DeviceAuthorization {
  const doc = JSON.parse(row.doc) as DeviceDoc;
  const authorization: DeviceAuthorization = {
    deviceCodeHash: row.device_code_hash,
    userCodeHash: row.user_code_hash,
    clientId: row.client_id,
    scopes: doc.scopes,
    status: row.status,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    interval: Number(row.poll_interval),
  };
  if (doc.api !== undefined) authorization.api = doc.api;
  if (doc.approval) authorization.approval = doc.approval;
  if (row.last_polled_at !== null) authorization.lastPolledAt = Number(row.last_polled_at);
  return authorization;
}

/** The document after a decision: the approval, if any, joins it. */
export function decidedDoc(row: Pick<DeviceRow, 'doc'>, approval: DeviceAuthorization['approval']): string {
  const doc = JSON.parse(row.doc) as DeviceDoc;
  return JSON.stringify(approval ? { ...doc, approval } : doc);
}
