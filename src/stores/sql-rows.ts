/**
 * Row shapes of the tables both SQL stores share, and their mapping to the model:
 * the two backends differ in drivers and dialect, not in what a row means.
 */
import type { SigningKey, StoredToken, UserFactor, UserSession } from '../core/model.js';

export interface TokenRow {
  hash: string;
  kind: StoredToken['kind'];
  jti: string;
  client_id: string;
  subject: string;
  audience: string;
  scope: string;
  issued_at: number;
  expires_at: number;
  revoked_at: number | null;
  grant_id: string | null;
  consumed_at: number | null;
  successor_hash: string | null;
  details: string | null;
  last_used_at: number | null;
}

export interface KeyRow {
  kid: string;
  alg: SigningKey['alg'];
  status: SigningKey['status'];
  private_key_encrypted: string;
  public_jwk: string;
  created_at: number;
  remove_after: number | null;
}

export function tokenFromRow(row: TokenRow): StoredToken {
  const token: StoredToken = {
    hash: row.hash,
    kind: row.kind,
    jti: row.jti,
    clientId: row.client_id,
    subject: row.subject,
    audience: row.audience,
    scope: row.scope,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
  };
  if (row.revoked_at !== null) token.revokedAt = row.revoked_at;
  if (row.grant_id !== null) token.grantId = row.grant_id;
  if (row.consumed_at !== null) token.consumedAt = row.consumed_at;
  if (row.successor_hash !== null) token.successorHash = row.successor_hash;
  if (row.details !== null) token.details = JSON.parse(row.details) as Record<string, unknown>;
  if (row.last_used_at !== null) token.lastUsedAt = row.last_used_at;
  return token;
}

export function keyFromRow(row: KeyRow): SigningKey {
  const key: SigningKey = {
    kid: row.kid,
    alg: row.alg,
    status: row.status,
    privateKeyEncrypted: row.private_key_encrypted,
    publicJwk: JSON.parse(row.public_jwk) as Record<string, unknown>,
    createdAt: row.created_at,
  };
  if (row.remove_after !== null) key.removeAfter = row.remove_after;
  return key;
}

/** Column values for inserting a token, in TOKEN_COLUMNS order. */
export const TOKEN_COLUMNS =
  'hash, kind, jti, client_id, subject, audience, scope, issued_at, expires_at, revoked_at, grant_id, consumed_at, successor_hash, details, last_used_at';

export function tokenValues(token: StoredToken): unknown[] {
  return [
    token.hash,
    token.kind,
    token.jti,
    token.clientId,
    token.subject,
    token.audience,
    token.scope,
    token.issuedAt,
    token.expiresAt,
    token.revokedAt ?? null,
    token.grantId ?? null,
    token.consumedAt ?? null,
    token.successorHash ?? null,
    token.details ? JSON.stringify(token.details) : null,
    token.lastUsedAt ?? null,
  ];
}

export interface SessionRow {
  hash: string;
  id: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  user_agent: string | null;
  ip: string | null;
  amr: string | null;
}

export const SESSION_COLUMNS = 'hash, id, user_id, created_at, last_seen_at, expires_at, user_agent, ip, amr';

export function sessionValues(s: UserSession): unknown[] {
  return [s.hash, s.id, s.userId, s.createdAt, s.lastSeenAt, s.expiresAt, s.userAgent ?? null, s.ip ?? null, s.amr ? s.amr.join(' ') : null];
}

export function sessionFromRow(row: SessionRow): UserSession {
  const session: UserSession = {
    id: row.id,
    hash: row.hash,
    userId: row.user_id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
  };
  if (row.user_agent !== null) session.userAgent = row.user_agent;
  if (row.ip !== null) session.ip = row.ip;
  if (row.amr !== null) session.amr = row.amr.split(' ').filter(Boolean);
  return session;
}

export interface FactorRow {
  doc: string;
  last_used_step: number | string | null;
  last_used_at: number | string | null;
  sign_count: number | string | null;
}

/** The columns a factor is read with. */
export const FACTOR_COLUMNS = 'doc, last_used_step, last_used_at, sign_count';

/** The factor's document, with the use columns (updated in place, atomically) laid over it. */
export function factorFromRow(row: FactorRow): UserFactor {
  const factor = JSON.parse(row.doc) as UserFactor;
  if (row.last_used_at !== null) factor.lastUsedAt = Number(row.last_used_at);
  if (factor.type === 'totp' && row.last_used_step !== null) factor.lastUsedStep = Number(row.last_used_step);
  if (factor.type === 'passkey') factor.signCount = Number(row.sign_count ?? 0);
  return factor;
}

const USE_COLUMNS = new Set(['lastUsedStep', 'lastUsedAt', 'signCount']);

/** The document part of a factor: everything but the use columns. */
export function factorDoc(factor: UserFactor): string {
  return JSON.stringify(Object.fromEntries(Object.entries(factor).filter(([key]) => !USE_COLUMNS.has(key))));
}

/** The columns a factor is inserted with, in FACTOR_INSERT order. */
export function factorValues(factor: UserFactor): unknown[] {
  return [
    factor.id,
    factor.userId,
    factor.type,
    factor.createdAt,
    factor.type === 'totp' ? (factor.lastUsedStep ?? null) : null,
    factor.lastUsedAt ?? null,
    factor.type === 'passkey' ? factor.credentialId : null,
    factor.type === 'passkey' ? factor.signCount : null,
    factorDoc(factor),
  ];
}
