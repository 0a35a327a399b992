/**
 * The schema of both SQL stores, one entry per version, written once: each store
 * renders the list in its dialect (`migrationsFor`) and applies the versions it lacks,
 * in this order. A released entry is never edited (./released-migrations.test.ts pins
 * its rendered SQL); a change is a new version at the end. The order is the order the
 * versions were released in, not always numeric (19 came out before 18).
 *
 * Configuration entities are JSON documents keyed by their natural id, each declared
 * in ../document-tables.ts (../schema-parity.test.ts checks the two agree); what the
 * engine queries or updates atomically (tokens, keys, replay markers) has columns.
 * The statements keep the layout they had when each store had its own list, so a new
 * database's SQLite schema text is the same as an upgraded one's.
 */
import { BIGINT, type Dialect, type DialectSql, jsonInteger, jsonText, perDialect, renderScript, SMALLINT, sql } from './dialect-sql.js';
import { documentTable, outboxTable } from './table-shapes.js';

export interface Migration {
  version: number;
  name: string;
  statements: readonly DialectSql[];
}

/** A migration as one store applies it: its statements as one script in its dialect. */
export interface RenderedMigration {
  version: number;
  name: string;
  sql: string;
}

const ZERO_HASH = `'${'0'.repeat(64)}'`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'core',
    statements: [
      documentTable('apis', ['identifier TEXT PRIMARY KEY']),
      documentTable('clients', ['client_id TEXT PRIMARY KEY']),
      documentTable('users', ['id TEXT PRIMARY KEY', 'username TEXT NOT NULL UNIQUE']),
      documentTable('roles', ['name TEXT PRIMARY KEY']),
      sql`CREATE TABLE signing_keys (
        kid TEXT PRIMARY KEY,
        alg TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('next', 'current', 'retired')),
        private_key_encrypted TEXT NOT NULL,
        public_jwk TEXT NOT NULL,
        created_at ${BIGINT} NOT NULL,
        remove_after ${BIGINT}
      )`,
      // At most one current and one next key per algorithm, even when instances race.
      sql`CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (alg) WHERE status = 'current'`,
      sql`CREATE UNIQUE INDEX signing_keys_one_next ON signing_keys (alg) WHERE status = 'next'`,
      sql`CREATE TABLE tokens (
        hash TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        jti TEXT NOT NULL,
        client_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        audience TEXT NOT NULL,
        scope TEXT NOT NULL,
        issued_at ${BIGINT} NOT NULL,
        expires_at ${BIGINT} NOT NULL,
        revoked_at ${BIGINT}
      )`,
      sql`CREATE INDEX tokens_expires_at ON tokens (expires_at)`,
      sql`CREATE TABLE revoked_jtis (jti TEXT PRIMARY KEY, expires_at ${BIGINT} NOT NULL)`,
      sql`CREATE TABLE replay_markers (key TEXT PRIMARY KEY, expires_at ${BIGINT} NOT NULL)`,
    ],
  },
  {
    version: 2,
    name: 'user sign-in: consents, sessions, codes, refresh tokens',
    statements: [
      sql`ALTER TABLE tokens ADD COLUMN grant_id TEXT`,
      sql`ALTER TABLE tokens ADD COLUMN consumed_at ${BIGINT}`,
      sql`ALTER TABLE tokens ADD COLUMN successor_hash TEXT`,
      sql`ALTER TABLE tokens ADD COLUMN details TEXT`,
      sql`CREATE INDEX tokens_grant ON tokens (grant_id)`,
      sql`CREATE INDEX tokens_subject_client ON tokens (subject, client_id)`,
      documentTable('consents', ['user_id TEXT NOT NULL', 'client_id TEXT NOT NULL'], ['user_id', 'client_id']),
      sql`CREATE TABLE ephemeral (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        doc TEXT NOT NULL,
        expires_at ${BIGINT} NOT NULL,
        consumed_at ${BIGINT},
        PRIMARY KEY (kind, id)
      )`,
      sql`CREATE INDEX ephemeral_expires_at ON ephemeral (expires_at)`,
    ],
  },
  {
    version: 3,
    name: 'credentials: service accounts, token ids and last use',
    statements: [
      documentTable('service_accounts', ['id TEXT PRIMARY KEY', 'name TEXT NOT NULL UNIQUE']),
      sql`ALTER TABLE tokens ADD COLUMN last_used_at ${BIGINT}`,
      sql`CREATE UNIQUE INDEX tokens_jti ON tokens (jti)`,
    ],
  },
  {
    version: 4,
    name: 'audit log: hash-chained records and the chain head',
    statements: [
      sql`CREATE TABLE audit_events (
        sequence ${BIGINT} PRIMARY KEY,
        at ${BIGINT} NOT NULL,
        type TEXT NOT NULL,
        outcome TEXT NOT NULL,
        actor_id TEXT,
        subject TEXT,
        client_id TEXT,
        doc TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      )`,
      sql`CREATE INDEX audit_events_at ON audit_events (at)`,
      sql`CREATE INDEX audit_events_type ON audit_events (type, sequence)`,
      sql`CREATE INDEX audit_events_subject ON audit_events (subject, sequence)`,
      sql`CREATE INDEX audit_events_client ON audit_events (client_id, sequence)`,
      sql`CREATE INDEX audit_events_actor ON audit_events (actor_id, sequence)`,
      // Records are never changed: only appended, and deleted oldest-first by pruning.
      // PostgreSQL's trigger runs a function; SQLite's trigger has its own body.
      perDialect({
        sqlite: `CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END`,
        postgres: `CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit records are append-only'; END $$;
      CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`,
      }),
      // One row: the newest record (head) and the last pruned one (anchor). PostgreSQL's
      // appenders lock it (SELECT ... FOR UPDATE), which serialises them across instances.
      sql`CREATE TABLE audit_chain (
        id ${SMALLINT} PRIMARY KEY CHECK (id = 1),
        head_sequence ${BIGINT} NOT NULL,
        head_hash TEXT NOT NULL,
        anchor_sequence ${BIGINT} NOT NULL,
        anchor_hash TEXT NOT NULL
      )`,
      sql`INSERT INTO audit_chain VALUES (1, 0, ${ZERO_HASH}, 0, ${ZERO_HASH})`,
    ],
  },
  {
    version: 5,
    name: 'sign-in sessions indexed by user',
    statements: [
      sql`CREATE TABLE sessions (
        hash TEXT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        created_at ${BIGINT} NOT NULL,
        last_seen_at ${BIGINT} NOT NULL,
        expires_at ${BIGINT} NOT NULL,
        user_agent TEXT,
        ip TEXT
      )`,
      sql`CREATE INDEX sessions_user ON sessions (user_id, created_at)`,
      sql`CREATE INDEX sessions_expires_at ON sessions (expires_at)`,
      // Sessions kept so far as ephemeral records move over, so nobody is signed out.
      sql`INSERT INTO sessions (hash, id, user_id, created_at, last_seen_at, expires_at)
        SELECT id, ${jsonText('doc', 'sid')}, ${jsonText('doc', 'userId')}, ${jsonInteger('doc', 'authTime')}, ${jsonInteger('doc', 'authTime')}, expires_at FROM ephemeral WHERE kind = 'session'`,
      sql`DELETE FROM ephemeral WHERE kind = 'session'`,
    ],
  },
  {
    version: 6,
    name: 'expiry indexes for the housekeeping sweep',
    statements: [
      sql`CREATE INDEX revoked_jtis_expires_at ON revoked_jtis (expires_at)`,
      sql`CREATE INDEX replay_markers_expires_at ON replay_markers (expires_at)`,
    ],
  },
  {
    version: 10,
    name: 'mail: the outbox, and users found by email address',
    statements: [
      sql`ALTER TABLE users ADD COLUMN email TEXT`,
      sql`UPDATE users SET email = lower(${jsonText('doc', 'email')})`,
      sql`CREATE INDEX users_email ON users (email)`,
      ...outboxTable('mail_outbox'),
    ],
  },
  {
    version: 13,
    name: 'upstream identity providers and linked identities',
    statements: [
      documentTable('identity_providers', ['id TEXT PRIMARY KEY']),
      sql`CREATE TABLE federated_identities (
        provider_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        user_id TEXT NOT NULL,
        created_at ${BIGINT} NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (provider_id, subject)
      )`,
      sql`CREATE INDEX federated_identities_user ON federated_identities (user_id)`,
    ],
  },
  {
    version: 14,
    name: 'second factors (TOTP), recovery codes, and how a session authenticated',
    statements: [
      sql`CREATE TABLE user_factors (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        type TEXT NOT NULL,
        created_at ${BIGINT} NOT NULL,
        last_used_step ${BIGINT},
        last_used_at ${BIGINT},
        doc TEXT NOT NULL
      )`,
      sql`CREATE INDEX user_factors_user ON user_factors (user_id, created_at)`,
      sql`CREATE TABLE recovery_codes (
        user_id TEXT NOT NULL,
        hash TEXT NOT NULL,
        created_at ${BIGINT} NOT NULL,
        used_at ${BIGINT},
        PRIMARY KEY (user_id, hash)
      )`,
      sql`ALTER TABLE sessions ADD COLUMN amr TEXT`,
    ],
  },
  {
    version: 16,
    name: 'device authorizations (RFC 8628)',
    statements: [
      sql`CREATE TABLE device_authorizations (
        device_code_hash TEXT PRIMARY KEY,
        user_code_hash TEXT NOT NULL UNIQUE,
        client_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied')),
        user_id TEXT,
        created_at ${BIGINT} NOT NULL,
        expires_at ${BIGINT} NOT NULL,
        poll_interval INTEGER NOT NULL,
        last_polled_at ${BIGINT},
        doc TEXT NOT NULL
      )`,
      sql`CREATE INDEX device_authorizations_expires_at ON device_authorizations (expires_at)`,
    ],
  },
  {
    version: 17,
    name: 'passkeys: a factor’s credential ID (unique) and signature counter',
    statements: [
      sql`ALTER TABLE user_factors ADD COLUMN credential_id TEXT`,
      sql`ALTER TABLE user_factors ADD COLUMN sign_count ${BIGINT}`,
      sql`CREATE UNIQUE INDEX user_factors_credential ON user_factors (credential_id)`,
    ],
  },
  {
    version: 19,
    name: 'tokens and consents by client (deleting a client revokes them)',
    statements: [sql`CREATE INDEX tokens_client ON tokens (client_id)`, sql`CREATE INDEX consents_client ON consents (client_id)`],
  },
  {
    version: 18,
    name: 'back-channel logout deliveries: an outbox of their own, so they survive a restart',
    statements: outboxTable('logout_outbox'),
  },
];

const rendered = new Map<Dialect, readonly RenderedMigration[]>();

/** The list in one dialect, in the order to apply it (rendered once per process). */
export function migrationsFor(dialect: Dialect): readonly RenderedMigration[] {
  let list = rendered.get(dialect);
  if (!list) {
    list = MIGRATIONS.map((m) => ({ version: m.version, name: m.name, sql: renderScript(m.statements, dialect) }));
    rendered.set(dialect, list);
  }
  return list;
}

/** The newest version the code knows (what `schemaVersion` reports as `code`). */
export const LATEST_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));
