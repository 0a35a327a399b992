/**
 * The embedded store: SQLite through better-sqlite3, in WAL mode so readers never
 * wait for the writer. Calls are synchronous underneath (microseconds for these
 * queries); the async interface is the one every backend shares. The document
 * entities (APIs, clients, users...) come from the shared kit (../document-store.ts),
 * the schema from the one migration list (../migrations/migrations.ts), and the
 * outboxes and device authorizations from ../sql-outbox.ts and
 * ../sql-device-authorizations.ts, run through ./sqlite-runner.ts.
 */
import Database from 'better-sqlite3';
import type { PasskeyFactor, SigningKey, StoredToken, StoredTokenKind, UserFactor, UserSession } from '../../core/model.js';
import type { AuditEvent, AuditFilter, AuditRecord, ChainPoint, ChainRecord } from '../../core/audit/audit-event.js';
import { headAfter, sealRecords } from '../../core/audit/record-hash.js';
import type { Store } from '../../core/ports/storage.js';
import { SQLITE_DIALECT } from '../document-collection.js';
import { DocumentStore } from '../document-store.js';
import { AUDIT_COLUMNS, auditChainFromRow, auditConditions, auditFromRow, auditValues, type AuditRow } from '../audit-rows.js';
import {
  FACTOR_COLUMNS,
  factorFromRow,
  type FactorRow,
  factorValues,
  keyFromRow,
  SESSION_COLUMNS,
  sessionFromRow,
  sessionValues,
  TOKEN_COLUMNS,
  tokenFromRow,
  tokenValues,
  type KeyRow,
  type SessionRow,
  type TokenRow,
} from '../sql-rows.js';
import { LATEST_VERSION, migrationsFor } from '../migrations/migrations.js';
import { SqlDeviceAuthorizations } from '../sql-device-authorizations.js';
import { SqlOutbox } from '../sql-outbox.js';
import { sqliteRunner } from './sqlite-runner.js';

const parse = <T>(row: { doc: string } | undefined): T | undefined => (row ? (JSON.parse(row.doc) as T) : undefined);

/** Rows deleted per statement by the expiry sweep (a few milliseconds of work each). */
const DELETE_CHUNK = 5000;

export class SqliteStore extends DocumentStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  readonly outbox: SqlOutbox;
  readonly logoutOutbox: SqlOutbox;
  readonly deviceAuthorizations: SqlDeviceAuthorizations;
  #pendingTokens: { token: StoredToken; resolve: () => void; reject: (error: unknown) => void }[] = [];

  /** `filename` is a path, or ':memory:' for tests. */
  constructor(filename: string) {
    super(SQLITE_DIALECT);
    this.#db = new Database(filename);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL'); // durable across process crashes; WAL fsyncs at checkpoints
    this.#db.pragma('wal_autocheckpoint = 4000'); // fewer, larger checkpoints: each one fsyncs on the request path
    this.#db.pragma('busy_timeout = 5000');
    this.#db.pragma('foreign_keys = ON');
    const runner = sqliteRunner((sql) => this.#sql(sql));
    this.outbox = new SqlOutbox(runner);
    this.logoutOutbox = new SqlOutbox(runner, 'logout_outbox');
    this.deviceAuthorizations = new SqlDeviceAuthorizations(runner);
  }

  #sql(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  async migrate(): Promise<number[]> {
    this.#db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    const applied = new Set((this.#db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
    const done: number[] = [];
    for (const migration of migrationsFor('sqlite')) {
      if (applied.has(migration.version)) continue;
      this.#db.transaction(() => {
        this.#db.exec(migration.sql);
        this.#db
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(migration.version, migration.name, Math.floor(Date.now() / 1000));
      })();
      done.push(migration.version);
    }
    return done;
  }

  async schemaVersion(): Promise<{ code: number; database: number }> {
    const code = LATEST_VERSION;
    let database = 0;
    try {
      database = (this.#db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
    } catch {
      database = 0;
    }
    return { code, database };
  }

  async ping(): Promise<void> {
    this.#sql('SELECT 1').get();
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  // The document entities' statements (../document-store.ts)
  protected async runDoc(sql: string, params: unknown[]): Promise<string | undefined> {
    return (this.#sql(sql).get(...params) as { doc: string } | undefined)?.doc;
  }
  protected async runDocs(sql: string, params: unknown[]): Promise<string[]> {
    return (this.#sql(sql).all(...params) as { doc: string }[]).map((row) => row.doc);
  }
  protected async runChanges(sql: string, params: unknown[]): Promise<number> {
    return this.#sql(sql).run(...params).changes;
  }
  protected async runInTransaction(statements: readonly (readonly [sql: string, params: unknown[]])[]): Promise<number> {
    return this.#db.transaction(() => statements.reduce((_, [sql, params]) => this.#sql(sql).run(...params).changes, 0))();
  }

  // Second factors and recovery codes
  async listUserFactors(userId: string): Promise<UserFactor[]> {
    const rows = this.#sql(`SELECT ${FACTOR_COLUMNS} FROM user_factors WHERE user_id = ? ORDER BY created_at, id`).all(userId) as FactorRow[];
    return rows.map(factorFromRow);
  }
  async insertUserFactor(factor: UserFactor): Promise<void> {
    this.#sql(
      'INSERT INTO user_factors (id, user_id, type, created_at, last_used_step, last_used_at, credential_id, sign_count, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(...factorValues(factor));
  }
  async deleteUserFactor(userId: string, id: string): Promise<boolean> {
    return this.#sql('DELETE FROM user_factors WHERE user_id = ? AND id = ?').run(userId, id).changes > 0;
  }
  async deleteUserFactors(userId: string): Promise<number> {
    return this.#db.transaction(() => {
      this.#sql('DELETE FROM recovery_codes WHERE user_id = ?').run(userId);
      return this.#sql('DELETE FROM user_factors WHERE user_id = ?').run(userId).changes;
    })();
  }
  async useTotpStep(userId: string, id: string, step: number, at: number): Promise<boolean> {
    const sql = 'UPDATE user_factors SET last_used_step = ?, last_used_at = ? WHERE user_id = ? AND id = ? AND (last_used_step IS NULL OR last_used_step < ?)';
    return this.#sql(sql).run(step, at, userId, id, step).changes > 0;
  }
  async findPasskey(credentialId: string): Promise<PasskeyFactor | undefined> {
    const row = this.#sql(`SELECT ${FACTOR_COLUMNS} FROM user_factors WHERE credential_id = ? AND type = 'passkey'`).get(credentialId) as FactorRow | undefined;
    return row ? (factorFromRow(row) as PasskeyFactor) : undefined;
  }
  async usePasskey(userId: string, id: string, signCount: number, at: number): Promise<boolean> {
    const sql =
      "UPDATE user_factors SET sign_count = ?, last_used_at = ? WHERE user_id = ? AND id = ? AND type = 'passkey' AND (sign_count < ? OR (sign_count = 0 AND ? = 0))";
    return this.#sql(sql).run(signCount, at, userId, id, signCount, signCount).changes > 0;
  }
  async replaceRecoveryCodes(userId: string, hashes: string[], at: number): Promise<void> {
    this.#db.transaction(() => {
      this.#sql('DELETE FROM recovery_codes WHERE user_id = ?').run(userId);
      for (const hash of hashes) this.#sql('INSERT INTO recovery_codes (user_id, hash, created_at) VALUES (?, ?, ?)').run(userId, hash, at);
    })();
  }
  async useRecoveryCode(userId: string, hash: string, at: number): Promise<boolean> {
    return this.#sql('UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND hash = ? AND used_at IS NULL').run(at, userId, hash).changes > 0;
  }
  async countRecoveryCodes(userId: string): Promise<{ total: number; remaining: number }> {
    const row = this.#sql('SELECT COUNT(*) AS total, COUNT(*) - COUNT(used_at) AS remaining FROM recovery_codes WHERE user_id = ?').get(userId) as {
      total: number;
      remaining: number;
    };
    return { total: row.total, remaining: row.remaining };
  }
  // Signing keys
  async listKeys(): Promise<SigningKey[]> {
    return (this.#sql('SELECT * FROM signing_keys ORDER BY created_at, kid').all() as KeyRow[]).map(keyFromRow);
  }
  async insertKey(key: SigningKey): Promise<void> {
    this.#sql('INSERT INTO signing_keys (kid, alg, status, private_key_encrypted, public_jwk, created_at, remove_after) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      key.kid,
      key.alg,
      key.status,
      key.privateKeyEncrypted,
      JSON.stringify(key.publicJwk),
      key.createdAt,
      key.removeAfter ?? null,
    );
  }
  async updateKeys(changes: { kid: string; status: SigningKey['status']; removeAfter?: number }[]): Promise<void> {
    const update = this.#sql('UPDATE signing_keys SET status = ?, remove_after = ? WHERE kid = ?');
    this.#db.transaction(() => {
      for (const c of changes) update.run(c.status, c.removeAfter ?? null, c.kid);
    })();
  }
  async deleteKey(kid: string): Promise<void> {
    this.#sql('DELETE FROM signing_keys WHERE kid = ?').run(kid);
  }

  // Tokens
  /**
   * Group commit: inserts arriving in the same event-loop turn share one transaction,
   * so a burst of token requests pays one commit instead of one each. Every caller
   * still resolves only after its row is committed, and fails alone if its row does.
   */
  insertToken(token: StoredToken): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pendingTokens.push({ token, resolve, reject });
      if (this.#pendingTokens.length === 1) setImmediate(() => this.#commitTokens());
    });
  }

  #commitTokens(): void {
    const batch = this.#pendingTokens;
    this.#pendingTokens = [];
    const insert = this.#sql(`INSERT INTO tokens (${TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const failures = new Map<number, unknown>();
    try {
      this.#db.transaction(() => {
        batch.forEach((item, i) => {
          try {
            insert.run(...tokenValues(item.token));
          } catch (error) {
            failures.set(i, error); // a constraint error undoes only that statement
          }
        });
      })();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      if (failures.has(i)) item.reject(failures.get(i));
      else item.resolve();
    });
  }
  async insertTokenOnce(token: StoredToken): Promise<boolean> {
    const insert = this.#sql(`INSERT INTO tokens (${TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`);
    return insert.run(...tokenValues(token)).changes > 0;
  }
  async findTokenByHash(hash: string): Promise<StoredToken | undefined> {
    const row = this.#sql('SELECT * FROM tokens WHERE hash = ?').get(hash) as TokenRow | undefined;
    return row ? tokenFromRow(row) : undefined;
  }
  async revokeToken(hash: string, at: number): Promise<boolean> {
    return this.#sql('UPDATE tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL').run(at, hash).changes > 0;
  }
  async deleteExpiredTokens(before: number): Promise<number> {
    // In chunks, yielding between them: at thousands of tokens a second, one statement
    // could delete millions of rows and hold the event loop and the write lock for seconds.
    const chunk = this.#sql(`DELETE FROM tokens WHERE rowid IN (SELECT rowid FROM tokens WHERE expires_at < ? LIMIT ${DELETE_CHUNK})`);
    let deleted = 0;
    for (;;) {
      const changes = chunk.run(before).changes;
      deleted += changes;
      if (changes < DELETE_CHUNK) return deleted;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async consumeToken(hash: string, at: number): Promise<boolean> {
    return this.#sql('UPDATE tokens SET consumed_at = ? WHERE hash = ? AND consumed_at IS NULL').run(at, hash).changes > 0;
  }
  async setSuccessor(hash: string, successorHash: string): Promise<void> {
    this.#sql('UPDATE tokens SET successor_hash = ? WHERE hash = ?').run(successorHash, hash);
  }
  async revokeGrant(grantId: string, at: number): Promise<number> {
    return this.#sql('UPDATE tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL').run(at, grantId).changes;
  }
  async revokeClientTokens(clientId: string, at: number): Promise<number> {
    return this.#sql('UPDATE tokens SET revoked_at = ? WHERE client_id = ? AND revoked_at IS NULL').run(at, clientId).changes;
  }
  async revokeSubjectTokens(subject: string, clientId: string | undefined, at: number): Promise<number> {
    if (clientId === undefined) {
      return this.#sql('UPDATE tokens SET revoked_at = ? WHERE subject = ? AND revoked_at IS NULL').run(at, subject).changes;
    }
    return this.#sql('UPDATE tokens SET revoked_at = ? WHERE subject = ? AND client_id = ? AND revoked_at IS NULL').run(at, subject, clientId).changes;
  }

  async listSubjectTokens(subject: string, kinds: readonly StoredTokenKind[]): Promise<StoredToken[]> {
    const marks = kinds.map(() => '?').join(', ');
    const rows = this.#sql(`SELECT * FROM tokens WHERE subject = ? AND kind IN (${marks}) ORDER BY issued_at DESC, jti`).all(subject, ...kinds) as TokenRow[];
    return rows.map(tokenFromRow);
  }
  async findTokenById(jti: string): Promise<StoredToken | undefined> {
    const row = this.#sql('SELECT * FROM tokens WHERE jti = ?').get(jti) as TokenRow | undefined;
    return row ? tokenFromRow(row) : undefined;
  }
  async touchTokens(uses: { hash: string; at: number }[]): Promise<void> {
    const update = this.#sql('UPDATE tokens SET last_used_at = ? WHERE hash = ? AND (last_used_at IS NULL OR last_used_at < ?)');
    this.#db.transaction(() => {
      for (const use of uses) update.run(use.at, use.hash, use.at);
    })();
  }

  // Ephemeral records
  async putRecord(kind: string, id: string, doc: unknown, expiresAt: number): Promise<void> {
    this.#sql(
      'INSERT INTO ephemeral (kind, id, doc, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET doc = excluded.doc, expires_at = excluded.expires_at',
    ).run(kind, id, JSON.stringify(doc), expiresAt);
  }
  async getRecord<T>(kind: string, id: string, now: number): Promise<T | undefined> {
    return parse<T>(this.#sql('SELECT doc FROM ephemeral WHERE kind = ? AND id = ? AND expires_at > ?').get(kind, id, now) as { doc: string } | undefined);
  }
  async deleteRecord(kind: string, id: string): Promise<void> {
    this.#sql('DELETE FROM ephemeral WHERE kind = ? AND id = ?').run(kind, id);
  }
  async consumeRecord<T>(kind: string, id: string, now: number): Promise<{ doc: T; firstUse: boolean } | undefined> {
    const firstUse =
      this.#sql('UPDATE ephemeral SET consumed_at = ? WHERE kind = ? AND id = ? AND consumed_at IS NULL AND expires_at > ?').run(now, kind, id, now).changes >
      0;
    const doc = await this.getRecord<T>(kind, id, now);
    return doc === undefined ? undefined : { doc, firstUse };
  }
  async deleteExpiredRecords(now: number): Promise<number> {
    return this.#sql('DELETE FROM ephemeral WHERE expires_at <= ?').run(now).changes;
  }

  // Sign-in sessions
  async insertSession(session: UserSession): Promise<void> {
    this.#sql(`INSERT INTO sessions (${SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...sessionValues(session));
  }
  async findSessionByHash(hash: string, now: number): Promise<UserSession | undefined> {
    const row = this.#sql(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE hash = ? AND expires_at > ?`).get(hash, now) as SessionRow | undefined;
    return row ? sessionFromRow(row) : undefined;
  }
  async touchSession(hash: string, at: number): Promise<void> {
    this.#sql('UPDATE sessions SET last_seen_at = ? WHERE hash = ? AND last_seen_at < ?').run(at, hash, at);
  }
  async listUserSessions(userId: string, now: number): Promise<UserSession[]> {
    const rows = this.#sql(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = ? AND expires_at > ? ORDER BY created_at DESC, id`).all(
      userId,
      now,
    ) as SessionRow[];
    return rows.map(sessionFromRow);
  }
  async deleteUserSession(userId: string, id: string): Promise<boolean> {
    return this.#sql('DELETE FROM sessions WHERE user_id = ? AND id = ?').run(userId, id).changes > 0;
  }
  async deleteSessionByHash(hash: string): Promise<void> {
    this.#sql('DELETE FROM sessions WHERE hash = ?').run(hash);
  }
  async deleteUserSessions(userId: string, keepId?: string): Promise<number> {
    return this.#sql('DELETE FROM sessions WHERE user_id = ? AND id IS NOT ?').run(userId, keepId ?? null).changes;
  }
  async deleteExpiredSessions(now: number): Promise<number> {
    return this.#sql('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes;
  }

  // Revoked JWT ids
  async revokeJti(jti: string, expiresAt: number): Promise<void> {
    this.#sql('INSERT INTO revoked_jtis (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING').run(jti, expiresAt);
  }
  async isJtiRevoked(jti: string): Promise<boolean> {
    return this.#sql('SELECT 1 FROM revoked_jtis WHERE jti = ?').get(jti) !== undefined;
  }
  async deleteExpiredRevocations(now: number): Promise<number> {
    return this.#sql('DELETE FROM revoked_jtis WHERE expires_at < ?').run(now).changes;
  }

  // Audit log
  async appendAuditEvents(events: readonly AuditEvent[]): Promise<ChainPoint> {
    const insert = this.#sql(`INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    // IMMEDIATE takes the write lock before reading the head, so another process
    // appending to the same file (a CLI verb beside the server) waits its turn.
    return this.#db
      .transaction(() => {
        const head = this.#sql('SELECT head_sequence AS sequence, head_hash AS hash FROM audit_chain WHERE id = 1').get() as ChainPoint;
        if (events.length === 0) return head;
        const sealed = sealRecords(head, events);
        for (const record of sealed) insert.run(...auditValues(record));
        const last = headAfter(head, sealed);
        this.#sql('UPDATE audit_chain SET head_sequence = ?, head_hash = ? WHERE id = 1').run(last.sequence, last.hash);
        return last;
      })
      .immediate();
  }
  async queryAuditEvents(filter: AuditFilter, page: { before?: number; limit: number }): Promise<AuditRecord[]> {
    const { where, params } = auditConditions(filter, page.before, () => '?');
    const rows = this.#sql(`SELECT sequence, doc, prev_hash, hash FROM audit_events ${where} ORDER BY sequence DESC LIMIT ?`).all(
      ...params,
      page.limit,
    ) as AuditRow[];
    return rows.map(auditFromRow);
  }
  async readAuditChain(afterSequence: number, limit: number): Promise<ChainRecord[]> {
    const rows = this.#sql(`SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE sequence > ? ORDER BY sequence LIMIT ?`).all(afterSequence, limit) as AuditRow[];
    return rows.map(auditChainFromRow);
  }
  async auditChainState(): Promise<{ anchor: ChainPoint; head: ChainPoint }> {
    const row = this.#sql('SELECT * FROM audit_chain WHERE id = 1').get() as {
      head_sequence: number;
      head_hash: string;
      anchor_sequence: number;
      anchor_hash: string;
    };
    return { anchor: { sequence: row.anchor_sequence, hash: row.anchor_hash }, head: { sequence: row.head_sequence, hash: row.head_hash } };
  }
  async pruneAuditEvents(before: number): Promise<number> {
    return this.#db
      .transaction(() => {
        // The kept chain starts at the oldest record not older than `before`.
        const firstKept = this.#sql('SELECT MIN(sequence) AS s FROM audit_events WHERE at >= ?').get(before) as { s: number | null };
        const last = firstKept.s === null ? (this.#sql('SELECT MAX(sequence) AS s FROM audit_events').get() as { s: number | null }).s : firstKept.s - 1;
        if (last === null) return 0;
        const anchor = this.#sql('SELECT hash FROM audit_events WHERE sequence = ?').get(last) as { hash: string } | undefined;
        if (!anchor) return 0; // already pruned up to there
        const deleted = this.#sql('DELETE FROM audit_events WHERE sequence <= ?').run(last).changes;
        this.#sql('UPDATE audit_chain SET anchor_sequence = ?, anchor_hash = ? WHERE id = 1').run(last, anchor.hash);
        return deleted;
      })
      .immediate();
  }

  // One-time markers
  async useOnce(key: string, expiresAt: number, now: number): Promise<boolean> {
    // An expired marker may be taken over; one statement makes the check-and-set atomic.
    const result = this.#sql(
      'INSERT INTO replay_markers (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE replay_markers.expires_at <= ?',
    ).run(key, expiresAt, now);
    return result.changes > 0;
  }
  async deleteExpiredMarkers(now: number): Promise<number> {
    return this.#sql('DELETE FROM replay_markers WHERE expires_at <= ?').run(now).changes;
  }
}
