/**
 * The shared store: PostgreSQL through a pg.Pool, for deployments that run several
 * instances against one database. It mirrors the SQLite store (same tables, same
 * semantics); what SQLite gets from a single writer, this gets from single
 * statements (upserts, conditional updates) and transactions. Migrations (the one
 * list of ../migrations/migrations.ts) take an advisory lock so instances starting
 * together never apply one twice. The document entities, the outboxes and device
 * authorizations come from the shared kit (../document-store.ts, ../sql-outbox.ts,
 * ../sql-device-authorizations.ts, run through ./postgres-runner.ts).
 */
import pg from 'pg';
import type { PasskeyFactor, SigningKey, StoredToken, StoredTokenKind, UserFactor, UserSession } from '../../core/model.js';
import type { AuditEvent, AuditFilter, AuditRecord, ChainPoint, ChainRecord } from '../../core/audit/audit-event.js';
import { headAfter, sealRecords } from '../../core/audit/record-hash.js';
import type { Store } from '../../core/ports/storage.js';
import { POSTGRES_DIALECT } from '../document-collection.js';
import { DocumentStore } from '../document-store.js';
import { POOL_DEFAULTS } from '../pool-defaults.js';
import { AUDIT_COLUMNS, auditChainFromRow, auditConditions, auditFromRow, auditValues, type AuditRow } from '../audit-rows.js';
import {
  FACTOR_COLUMNS,
  factorFromRow,
  type FactorRow,
  factorValues,
  SESSION_COLUMNS,
  sessionFromRow,
  sessionValues,
  type SessionRow,
  keyFromRow,
  TOKEN_COLUMNS,
  tokenFromRow,
  tokenValues,
  type KeyRow,
  type TokenRow,
} from '../sql-rows.js';
import { LATEST_VERSION, migrationsFor } from '../migrations/migrations.js';
import { SqlDeviceAuthorizations } from '../sql-device-authorizations.js';
import { SqlOutbox } from '../sql-outbox.js';
import { postgresRunner } from './postgres-runner.js';
import { arrayLiteral } from './array-literal.js';
import { asUnavailable } from './unavailable.js';

const INSERT_TOKEN = `INSERT INTO tokens (${TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`;
/** The PostgreSQL type of each of TOKEN_COLUMNS, in order: a batch is inserted as one array per column. */
const TOKEN_COLUMN_TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'bigint', 'bigint', 'text', 'bigint', 'text', 'text', 'bigint'];
const INSERT_TOKENS = `INSERT INTO tokens (${TOKEN_COLUMNS}) SELECT * FROM unnest(${TOKEN_COLUMN_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
const FIND_TOKEN = `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE hash = $1`;
const FIND_TOKENS = `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE hash = ANY($1::text[])`;

/** A caller waiting for its part of a batched statement. */
interface Waiting<I, O> {
  input: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export interface PostgresStoreOptions {
  connectionString: string;
  /** Schema to keep the tables in (created by `migrate`); the server's search_path when absent. */
  schema?: string;
  /** Connections per instance (default 10). */
  poolSize?: number;
  /** How long to wait for a connection, new or from a busy pool, before answering 503 (default 5 s). */
  connectTimeoutMs?: number;
  /** Longest a statement may run (default 10 s; 0 for none); the client gives up 2 s after that. */
  statementTimeoutMs?: number;
  /** Idle connections are closed after this (default 30 s). */
  idleTimeoutMs?: number;
}

type Queryable = Pick<pg.ClientBase, 'query'>;

/** Lock id for migrations: a constant class id, paired with a hash of the schema name. */
const MIGRATION_LOCK_CLASS = 0x7e55e7a;

/** Undefined-table SQLSTATE: the database has not been migrated yet. */
const UNDEFINED_TABLE = '42P01';

/**
 * BIGINT (epoch seconds) arrives as a string, since it may exceed 2^53; ours never do.
 * Set per pool so other pg users in the process keep the default parsers.
 */
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** Lower-case identifiers only, so the name means the same quoted (DDL) and unquoted (search_path). */
function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${schema}`);
  return schema;
}

/** Drops `schema` and everything in it (tests use this to clean up). */
export async function dropSchema(connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(checkSchemaName(schema))} CASCADE`);
  } finally {
    await client.end();
  }
}

export class PostgresStore extends DocumentStore implements Store {
  readonly kind = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #schema: string | undefined;
  readonly #runner = postgresRunner((sql, params) => this.#query(sql, params));
  readonly outbox = new SqlOutbox(this.#runner);
  readonly logoutOutbox = new SqlOutbox(this.#runner, 'logout_outbox');
  readonly deviceAuthorizations = new SqlDeviceAuthorizations(this.#runner);

  constructor(options: PostgresStoreOptions) {
    super(POSTGRES_DIALECT);
    this.#schema = options.schema === undefined ? undefined : checkSchemaName(options.schema);
    const statementTimeout = options.statementTimeoutMs ?? POOL_DEFAULTS.statementTimeoutMs;
    this.#pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? POOL_DEFAULTS.poolSize,
      connectionTimeoutMillis: options.connectTimeoutMs ?? POOL_DEFAULTS.connectTimeoutMs,
      idleTimeoutMillis: options.idleTimeoutMs ?? POOL_DEFAULTS.idleTimeoutMs,
      // The server cancels a long statement; the client stops waiting a little later,
      // for a server that no longer answers at all.
      ...(statementTimeout > 0 ? { statement_timeout: statementTimeout, query_timeout: statementTimeout + 2000 } : {}),
      keepAlive: true,
      types: typeParsers,
      ...(this.#schema ? { options: `-c search_path=${this.#schema}` } : {}),
    });
    // An idle connection that dies (server restart) is dropped by the pool; without a
    // listener the error would crash the process. The next query reports the outage.
    this.#pool.on('error', () => {});
  }

  async #query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.#pool.query<R>(sql, params);
    } catch (error) {
      throw asUnavailable(error);
    }
  }

  /**
   * A statement of the token path, prepared once per connection under `name` (parsed
   * and planned once, then only bound and executed): less work for both sides on
   * every token issued or looked up. Only fixed SQL texts get a name, and they name
   * their columns: a column added by a newer instance's migration must not change
   * the result of a statement an older instance has prepared (rolling upgrades).
   */
  async #prepared<R extends pg.QueryResultRow>(name: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.#pool.query<R>({ name, text, values });
    } catch (error) {
      throw asUnavailable(error);
    }
  }

  async #doc<T>(sql: string, ...params: unknown[]): Promise<T | undefined> {
    const row = (await this.#query<{ doc: string }>(sql, params)).rows[0];
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }

  async #changed(sql: string, params: unknown[]): Promise<number> {
    return (await this.#query(sql, params)).rowCount ?? 0;
  }

  /** Runs `fn` in a transaction on one pooled connection. */
  async #transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    try {
      return await this.#inTransaction(fn);
    } catch (error) {
      throw asUnavailable(error);
    }
  }

  async #inTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    // While checked out, a client whose connection breaks emits 'error' besides failing
    // its query; with no listener (the pool listens only to idle clients) that would
    // crash the process. The failed query reports the outage.
    const ignore = () => {};
    client.on('error', ignore);
    const release = (error?: Error) => {
      client.off('error', ignore);
      client.release(error);
    };
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      release();
      return result;
    } catch (error) {
      // A failed ROLLBACK means the connection is broken: release(err) discards it.
      await client.query('ROLLBACK').then(
        () => release(),
        (rollbackError: Error) => release(rollbackError),
      );
      throw error;
    }
  }

  // Migrations
  async migrate(): Promise<number[]> {
    const done: number[] = [];
    for (const migration of migrationsFor('postgres')) {
      const applied = await this.#transaction(async (client) => {
        await this.#lockMigrations(client);
        if (await this.#isApplied(client, migration.version)) return false;
        // A migration may take long on a big table: no statement timeout for it.
        await client.query('SET LOCAL statement_timeout = 0');
        await client.query({ text: migration.sql, query_timeout: 3_600_000 } as pg.QueryConfig); // pg reads query_timeout per query; its types omit it
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          Math.floor(Date.now() / 1000),
        ]);
        return true;
      });
      if (applied) done.push(migration.version);
    }
    return done;
  }

  /**
   * Takes the migration lock until the transaction ends, then makes sure the schema and
   * the bookkeeping table exist (under the lock, as concurrent CREATE ... IF NOT EXISTS
   * statements can still collide).
   */
  async #lockMigrations(client: Queryable): Promise<void> {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, this.#schema ?? '']);
    if (this.#schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(this.#schema)}`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
  }

  async #isApplied(client: Queryable, version: number): Promise<boolean> {
    return (await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [version])).rowCount === 1;
  }

  async schemaVersion(): Promise<{ code: number; database: number }> {
    const code = LATEST_VERSION;
    try {
      const row = (await this.#query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations')).rows[0];
      return { code, database: row?.v ?? 0 };
    } catch (error) {
      if ((error as { code?: string }).code === UNDEFINED_TABLE) return { code, database: 0 };
      throw error;
    }
  }

  async ping(): Promise<void> {
    await this.#query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  // The document entities' statements (../document-store.ts)
  protected async runDoc(sql: string, params: unknown[]): Promise<string | undefined> {
    return (await this.#query<{ doc: string }>(sql, params)).rows[0]?.doc;
  }
  protected async runDocs(sql: string, params: unknown[]): Promise<string[]> {
    return (await this.#query<{ doc: string }>(sql, params)).rows.map((row) => row.doc);
  }
  protected runChanges(sql: string, params: unknown[]): Promise<number> {
    return this.#changed(sql, params);
  }
  protected runInTransaction(statements: readonly (readonly [sql: string, params: unknown[]])[]): Promise<number> {
    return this.#transaction(async (client) => {
      let changes = 0;
      for (const [sql, params] of statements) changes = (await client.query(sql, params)).rowCount ?? 0;
      return changes;
    });
  }

  // Second factors and recovery codes
  async listUserFactors(userId: string): Promise<UserFactor[]> {
    const sql = `SELECT ${FACTOR_COLUMNS} FROM user_factors WHERE user_id = $1 ORDER BY created_at, id COLLATE "C"`;
    return (await this.#query<FactorRow>(sql, [userId])).rows.map(factorFromRow);
  }
  async insertUserFactor(factor: UserFactor): Promise<void> {
    const sql =
      'INSERT INTO user_factors (id, user_id, type, created_at, last_used_step, last_used_at, credential_id, sign_count, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)';
    await this.#query(sql, factorValues(factor));
  }
  async deleteUserFactor(userId: string, id: string): Promise<boolean> {
    return (await this.#changed('DELETE FROM user_factors WHERE user_id = $1 AND id = $2', [userId, id])) > 0;
  }
  async deleteUserFactors(userId: string): Promise<number> {
    return this.#transaction(async (client) => {
      await client.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
      return (await client.query('DELETE FROM user_factors WHERE user_id = $1', [userId])).rowCount ?? 0;
    });
  }
  async useTotpStep(userId: string, id: string, step: number, at: number): Promise<boolean> {
    const sql =
      'UPDATE user_factors SET last_used_step = $1, last_used_at = $2 WHERE user_id = $3 AND id = $4 AND (last_used_step IS NULL OR last_used_step < $1)';
    return (await this.#changed(sql, [step, at, userId, id])) > 0;
  }
  async findPasskey(credentialId: string): Promise<PasskeyFactor | undefined> {
    const row = (await this.#query<FactorRow>(`SELECT ${FACTOR_COLUMNS} FROM user_factors WHERE credential_id = $1 AND type = 'passkey'`, [credentialId]))
      .rows[0];
    return row ? (factorFromRow(row) as PasskeyFactor) : undefined;
  }
  async usePasskey(userId: string, id: string, signCount: number, at: number): Promise<boolean> {
    const sql =
      "UPDATE user_factors SET sign_count = $1, last_used_at = $2 WHERE user_id = $3 AND id = $4 AND type = 'passkey' AND (sign_count < $1 OR (sign_count = 0 AND $1 = 0))";
    return (await this.#changed(sql, [signCount, at, userId, id])) > 0;
  }
  async replaceRecoveryCodes(userId: string, hashes: string[], at: number): Promise<void> {
    await this.#transaction(async (client) => {
      await client.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
      if (hashes.length > 0) {
        await client.query('INSERT INTO recovery_codes (user_id, hash, created_at) SELECT $1, unnest($2::text[]), $3', [userId, hashes, at]);
      }
    });
  }
  async useRecoveryCode(userId: string, hash: string, at: number): Promise<boolean> {
    return (await this.#changed('UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND hash = $3 AND used_at IS NULL', [at, userId, hash])) > 0;
  }
  async countRecoveryCodes(userId: string): Promise<{ total: number; remaining: number }> {
    const sql = 'SELECT COUNT(*)::int AS total, (COUNT(*) - COUNT(used_at))::int AS remaining FROM recovery_codes WHERE user_id = $1';
    const row = (await this.#query<{ total: number; remaining: number }>(sql, [userId])).rows[0]!;
    return { total: row.total, remaining: row.remaining };
  }
  // Signing keys
  async listKeys(): Promise<SigningKey[]> {
    return (await this.#query<KeyRow>('SELECT * FROM signing_keys ORDER BY created_at, kid COLLATE "C"')).rows.map(keyFromRow);
  }
  async insertKey(key: SigningKey): Promise<void> {
    await this.#query(
      'INSERT INTO signing_keys (kid, alg, status, private_key_encrypted, public_jwk, created_at, remove_after) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [key.kid, key.alg, key.status, key.privateKeyEncrypted, JSON.stringify(key.publicJwk), key.createdAt, key.removeAfter ?? null],
    );
  }
  async updateKeys(changes: { kid: string; status: SigningKey['status']; removeAfter?: number }[]): Promise<void> {
    await this.#transaction(async (client) => {
      for (const c of changes) {
        await client.query('UPDATE signing_keys SET status = $1, remove_after = $2 WHERE kid = $3', [c.status, c.removeAfter ?? null, c.kid]);
      }
    });
  }
  async deleteKey(kid: string): Promise<void> {
    await this.#query('DELETE FROM signing_keys WHERE kid = $1', [kid]);
  }

  // Tokens
  /**
   * Group commit, as on SQLite: the inserts that arrive in one event-loop turn go to the
   * database as one statement (one round trip, one commit and one pass through the
   * driver and the pool for the whole batch, where each token paid all three). Every
   * caller resolves only once that statement has committed. A batch that fails is
   * retried row by row, so that a row that breaks a constraint fails alone.
   */
  insertToken(token: StoredToken): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pendingInserts.push({ input: token, resolve, reject });
      if (this.#pendingInserts.length === 1) setImmediate(() => void this.#insertBatch());
    });
  }
  #pendingInserts: Waiting<StoredToken, void>[] = [];

  async #insertBatch(): Promise<void> {
    const batch = this.#pendingInserts;
    this.#pendingInserts = [];
    if (batch.length > 1) {
      const rows = batch.map((item) => tokenValues(item.input));
      try {
        await this.#prepared(
          'tessera_insert_tokens',
          INSERT_TOKENS,
          TOKEN_COLUMN_TYPES.map((_, column) => arrayLiteral(rows.map((row) => row[column]))),
        );
        for (const item of batch) item.resolve();
        return;
      } catch {
        // one row at a time below: each caller gets its own row's outcome
      }
    }
    // In arrival order, so that of two rows with one hash the first is the one kept (rare: only after a failure).
    for (const item of batch) await this.#prepared('tessera_insert_token', INSERT_TOKEN, tokenValues(item.input)).then(() => item.resolve(), item.reject);
  }
  async insertTokenOnce(token: StoredToken): Promise<boolean> {
    return ((await this.#prepared('tessera_insert_token_once', `${INSERT_TOKEN} ON CONFLICT (hash) DO NOTHING`, tokenValues(token))).rowCount ?? 0) > 0;
  }
  /**
   * Lookups are batched the same way: those of one event-loop turn (introspection under
   * load) are one `hash = ANY($1)` query, and each caller gets its own row.
   */
  findTokenByHash(hash: string): Promise<StoredToken | undefined> {
    return new Promise((resolve, reject) => {
      this.#pendingLookups.push({ input: hash, resolve, reject });
      if (this.#pendingLookups.length === 1) setImmediate(() => void this.#lookupBatch());
    });
  }
  #pendingLookups: Waiting<string, StoredToken | undefined>[] = [];

  async #lookupBatch(): Promise<void> {
    const batch = this.#pendingLookups;
    this.#pendingLookups = [];
    try {
      if (batch.length === 1) {
        const row = (await this.#prepared<TokenRow>('tessera_find_token', FIND_TOKEN, [batch[0]!.input])).rows[0];
        batch[0]!.resolve(row ? tokenFromRow(row) : undefined);
        return;
      }
      const rows = (await this.#prepared<TokenRow>('tessera_find_tokens', FIND_TOKENS, [arrayLiteral([...new Set(batch.map((item) => item.input))])])).rows;
      const byHash = new Map(rows.map((row) => [row.hash, row]));
      // Each caller gets a token of its own (callers may change what they get).
      for (const item of batch) {
        const row = byHash.get(item.input);
        item.resolve(row ? tokenFromRow(row) : undefined);
      }
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  }
  async revokeToken(hash: string, at: number): Promise<boolean> {
    return (await this.#changed('UPDATE tokens SET revoked_at = $1 WHERE hash = $2 AND revoked_at IS NULL', [at, hash])) > 0;
  }
  async deleteExpiredTokens(before: number): Promise<number> {
    return this.#changed('DELETE FROM tokens WHERE expires_at < $1', [before]);
  }

  async consumeToken(hash: string, at: number): Promise<boolean> {
    // Concurrent updates of the row queue on its lock and re-check the condition: one wins.
    return (await this.#changed('UPDATE tokens SET consumed_at = $1 WHERE hash = $2 AND consumed_at IS NULL', [at, hash])) > 0;
  }
  async setSuccessor(hash: string, successorHash: string): Promise<void> {
    await this.#query('UPDATE tokens SET successor_hash = $1 WHERE hash = $2', [successorHash, hash]);
  }
  async revokeGrant(grantId: string, at: number): Promise<number> {
    return this.#changed('UPDATE tokens SET revoked_at = $1 WHERE grant_id = $2 AND revoked_at IS NULL', [at, grantId]);
  }
  async revokeClientTokens(clientId: string, at: number): Promise<number> {
    return this.#changed('UPDATE tokens SET revoked_at = $1 WHERE client_id = $2 AND revoked_at IS NULL', [at, clientId]);
  }
  async revokeSubjectTokens(subject: string, clientId: string | undefined, at: number): Promise<number> {
    if (clientId === undefined) {
      return this.#changed('UPDATE tokens SET revoked_at = $1 WHERE subject = $2 AND revoked_at IS NULL', [at, subject]);
    }
    return this.#changed('UPDATE tokens SET revoked_at = $1 WHERE subject = $2 AND client_id = $3 AND revoked_at IS NULL', [at, subject, clientId]);
  }

  async listSubjectTokens(subject: string, kinds: readonly StoredTokenKind[]): Promise<StoredToken[]> {
    const rows = (
      await this.#query<TokenRow>('SELECT * FROM tokens WHERE subject = $1 AND kind = ANY($2) ORDER BY issued_at DESC, jti COLLATE "C"', [subject, [...kinds]])
    ).rows;
    return rows.map(tokenFromRow);
  }
  async findTokenById(jti: string): Promise<StoredToken | undefined> {
    const row = (await this.#query<TokenRow>('SELECT * FROM tokens WHERE jti = $1', [jti])).rows[0];
    return row ? tokenFromRow(row) : undefined;
  }
  async touchTokens(uses: { hash: string; at: number }[]): Promise<void> {
    if (uses.length === 0) return;
    // One statement for the whole batch; a newer time never goes backwards.
    await this.#query(
      `UPDATE tokens SET last_used_at = u.at FROM unnest($1::text[], $2::bigint[]) AS u(hash, at)
       WHERE tokens.hash = u.hash AND (tokens.last_used_at IS NULL OR tokens.last_used_at < u.at)`,
      [arrayLiteral(uses.map((u) => u.hash)), arrayLiteral(uses.map((u) => u.at))],
    );
  }

  // Ephemeral records
  async putRecord(kind: string, id: string, doc: unknown, expiresAt: number): Promise<void> {
    await this.#query(
      'INSERT INTO ephemeral (kind, id, doc, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (kind, id) DO UPDATE SET doc = excluded.doc, expires_at = excluded.expires_at',
      [kind, id, JSON.stringify(doc), expiresAt],
    );
  }
  async getRecord<T>(kind: string, id: string, now: number): Promise<T | undefined> {
    return this.#doc<T>('SELECT doc FROM ephemeral WHERE kind = $1 AND id = $2 AND expires_at > $3', kind, id, now);
  }
  async deleteRecord(kind: string, id: string): Promise<void> {
    await this.#query('DELETE FROM ephemeral WHERE kind = $1 AND id = $2', [kind, id]);
  }
  async consumeRecord<T>(kind: string, id: string, now: number): Promise<{ doc: T; firstUse: boolean } | undefined> {
    // One conditional UPDATE: racing callers queue on the row lock and re-check
    // consumed_at IS NULL against the winner's version, so exactly one changes the row.
    const firstUse =
      (await this.#changed('UPDATE ephemeral SET consumed_at = $1 WHERE kind = $2 AND id = $3 AND consumed_at IS NULL AND expires_at > $1', [now, kind, id])) >
      0;
    const doc = await this.getRecord<T>(kind, id, now);
    return doc === undefined ? undefined : { doc, firstUse };
  }
  async deleteExpiredRecords(now: number): Promise<number> {
    return this.#changed('DELETE FROM ephemeral WHERE expires_at <= $1', [now]);
  }

  // Sign-in sessions
  async insertSession(session: UserSession): Promise<void> {
    await this.#query(`INSERT INTO sessions (${SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, sessionValues(session));
  }
  async findSessionByHash(hash: string, now: number): Promise<UserSession | undefined> {
    const row = (await this.#query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE hash = $1 AND expires_at > $2`, [hash, now])).rows[0];
    return row ? sessionFromRow(row) : undefined;
  }
  async touchSession(hash: string, at: number): Promise<void> {
    await this.#query('UPDATE sessions SET last_seen_at = $1 WHERE hash = $2 AND last_seen_at < $1', [at, hash]);
  }
  async listUserSessions(userId: string, now: number): Promise<UserSession[]> {
    const sql = `SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC, id COLLATE "C"`;
    return (await this.#query<SessionRow>(sql, [userId, now])).rows.map(sessionFromRow);
  }
  async deleteUserSession(userId: string, id: string): Promise<boolean> {
    return (await this.#changed('DELETE FROM sessions WHERE user_id = $1 AND id = $2', [userId, id])) > 0;
  }
  async deleteSessionByHash(hash: string): Promise<void> {
    await this.#query('DELETE FROM sessions WHERE hash = $1', [hash]);
  }
  async deleteUserSessions(userId: string, keepId?: string): Promise<number> {
    return this.#changed('DELETE FROM sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2', [userId, keepId ?? null]);
  }
  async deleteExpiredSessions(now: number): Promise<number> {
    return this.#changed('DELETE FROM sessions WHERE expires_at <= $1', [now]);
  }

  // Revoked JWT ids
  async revokeJti(jti: string, expiresAt: number): Promise<void> {
    await this.#query('INSERT INTO revoked_jtis (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING', [jti, expiresAt]);
  }
  async isJtiRevoked(jti: string): Promise<boolean> {
    return (await this.#query('SELECT 1 FROM revoked_jtis WHERE jti = $1', [jti])).rowCount === 1;
  }
  async deleteExpiredRevocations(now: number): Promise<number> {
    return this.#changed('DELETE FROM revoked_jtis WHERE expires_at < $1', [now]);
  }

  // Audit log
  async appendAuditEvents(events: readonly AuditEvent[]): Promise<ChainPoint> {
    if (events.length === 0) return (await this.auditChainState()).head;
    return this.#transaction(async (client) => {
      // The chain row's lock serialises appenders across instances: each reads the head
      // only after the previous append committed.
      const head = (await client.query<ChainPoint>('SELECT head_sequence AS sequence, head_hash AS hash FROM audit_chain WHERE id = 1 FOR UPDATE')).rows[0]!;
      const sealed = sealRecords(head, events);
      const columns = sealed.map(auditValues);
      const types = ['bigint', 'bigint', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text'];
      await client.query(
        `INSERT INTO audit_events (${AUDIT_COLUMNS}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`,
        types.map((_, i) => arrayLiteral(columns.map((row) => row[i]))),
      );
      const last = headAfter(head, sealed);
      await client.query('UPDATE audit_chain SET head_sequence = $1, head_hash = $2 WHERE id = 1', [last.sequence, last.hash]);
      return last;
    });
  }
  async queryAuditEvents(filter: AuditFilter, page: { before?: number; limit: number }): Promise<AuditRecord[]> {
    const { where, params } = auditConditions(filter, page.before, (n) => `$${n}`);
    const rows = (
      await this.#query<AuditRow>(`SELECT sequence, doc, prev_hash, hash FROM audit_events ${where} ORDER BY sequence DESC LIMIT $${params.length + 1}`, [
        ...params,
        page.limit,
      ])
    ).rows;
    return rows.map(auditFromRow);
  }
  async readAuditChain(afterSequence: number, limit: number): Promise<ChainRecord[]> {
    const rows = (
      await this.#query<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE sequence > $1 ORDER BY sequence LIMIT $2`, [afterSequence, limit])
    ).rows;
    return rows.map(auditChainFromRow);
  }
  async auditChainState(): Promise<{ anchor: ChainPoint; head: ChainPoint }> {
    const row = (
      await this.#query<{ head_sequence: number; head_hash: string; anchor_sequence: number; anchor_hash: string }>('SELECT * FROM audit_chain WHERE id = 1')
    ).rows[0]!;
    return { anchor: { sequence: row.anchor_sequence, hash: row.anchor_hash }, head: { sequence: row.head_sequence, hash: row.head_hash } };
  }
  async pruneAuditEvents(before: number): Promise<number> {
    return this.#transaction(async (client) => {
      await client.query('SELECT 1 FROM audit_chain WHERE id = 1 FOR UPDATE');
      // The kept chain starts at the oldest record not older than `before`.
      const bounds = (
        await client.query<{ first_kept: number | null; newest: number | null }>(
          'SELECT (SELECT MIN(sequence) FROM audit_events WHERE at >= $1) AS first_kept, (SELECT MAX(sequence) FROM audit_events) AS newest',
          [before],
        )
      ).rows[0]!;
      const last = bounds.first_kept === null ? bounds.newest : bounds.first_kept - 1;
      if (last === null) return 0;
      const anchor = (await client.query<{ hash: string }>('SELECT hash FROM audit_events WHERE sequence = $1', [last])).rows[0];
      if (!anchor) return 0; // already pruned up to there
      const deleted = (await client.query('DELETE FROM audit_events WHERE sequence <= $1', [last])).rowCount ?? 0;
      await client.query('UPDATE audit_chain SET anchor_sequence = $1, anchor_hash = $2 WHERE id = 1', [last, anchor.hash]);
      return deleted;
    });
  }

  // One-time markers
  async useOnce(key: string, expiresAt: number, now: number): Promise<boolean> {
    // An expired marker may be taken over; one statement makes the check-and-set atomic
    // (a concurrent insert of the same key waits, then sees the winner's row).
    const changed = await this.#changed(
      'INSERT INTO replay_markers (key, expires_at) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE replay_markers.expires_at <= $3',
      [key, expiresAt, now],
    );
    return changed > 0;
  }
  async deleteExpiredMarkers(now: number): Promise<number> {
    return this.#changed('DELETE FROM replay_markers WHERE expires_at <= $1', [now]);
  }
}
