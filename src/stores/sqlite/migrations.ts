/**
 * SQLite schema, one entry per version, applied in order and never edited once
 * released: a change is a new version. Keep in step with ../postgres/migrations.ts
 * (../schema-parity.test.ts checks).
 * Configuration entities are JSON documents keyed by their natural id, each declared
 * in ../document-tables.ts; what the engine queries or updates atomically (tokens,
 * keys, replay markers) has columns.
 */
export const SQLITE_MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'core',
    sql: `
      CREATE TABLE apis (identifier TEXT PRIMARY KEY, doc TEXT NOT NULL);
      CREATE TABLE clients (client_id TEXT PRIMARY KEY, doc TEXT NOT NULL);
      CREATE TABLE users (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, doc TEXT NOT NULL);
      CREATE TABLE roles (name TEXT PRIMARY KEY, doc TEXT NOT NULL);
      CREATE TABLE signing_keys (
        kid TEXT PRIMARY KEY,
        alg TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('next', 'current', 'retired')),
        private_key_encrypted TEXT NOT NULL,
        public_jwk TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        remove_after INTEGER
      );
      -- At most one current and one next key per algorithm, even when instances race.
      CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (alg) WHERE status = 'current';
      CREATE UNIQUE INDEX signing_keys_one_next ON signing_keys (alg) WHERE status = 'next';
      CREATE TABLE tokens (
        hash TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        jti TEXT NOT NULL,
        client_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        audience TEXT NOT NULL,
        scope TEXT NOT NULL,
        issued_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
      CREATE INDEX tokens_expires_at ON tokens (expires_at);
      CREATE TABLE revoked_jtis (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
      CREATE TABLE replay_markers (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'user sign-in: consents, sessions, codes, refresh tokens',
    sql: `
      ALTER TABLE tokens ADD COLUMN grant_id TEXT;
      ALTER TABLE tokens ADD COLUMN consumed_at INTEGER;
      ALTER TABLE tokens ADD COLUMN successor_hash TEXT;
      ALTER TABLE tokens ADD COLUMN details TEXT;
      CREATE INDEX tokens_grant ON tokens (grant_id);
      CREATE INDEX tokens_subject_client ON tokens (subject, client_id);
      CREATE TABLE consents (user_id TEXT NOT NULL, client_id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (user_id, client_id));
      CREATE TABLE ephemeral (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        doc TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        consumed_at INTEGER,
        PRIMARY KEY (kind, id)
      );
      CREATE INDEX ephemeral_expires_at ON ephemeral (expires_at);
    `,
  },
  {
    version: 3,
    name: 'credentials: service accounts, token ids and last use',
    sql: `
      CREATE TABLE service_accounts (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, doc TEXT NOT NULL);
      ALTER TABLE tokens ADD COLUMN last_used_at INTEGER;
      CREATE UNIQUE INDEX tokens_jti ON tokens (jti);
    `,
  },
  {
    version: 4,
    name: 'audit log: hash-chained records and the chain head',
    sql: `
      CREATE TABLE audit_events (
        sequence INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        type TEXT NOT NULL,
        outcome TEXT NOT NULL,
        actor_id TEXT,
        subject TEXT,
        client_id TEXT,
        doc TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_events_at ON audit_events (at);
      CREATE INDEX audit_events_type ON audit_events (type, sequence);
      CREATE INDEX audit_events_subject ON audit_events (subject, sequence);
      CREATE INDEX audit_events_client ON audit_events (client_id, sequence);
      CREATE INDEX audit_events_actor ON audit_events (actor_id, sequence);
      -- Records are never changed: only appended, and deleted oldest-first by pruning.
      CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
      -- One row: the newest record (head) and the last pruned one (anchor).
      CREATE TABLE audit_chain (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        head_sequence INTEGER NOT NULL,
        head_hash TEXT NOT NULL,
        anchor_sequence INTEGER NOT NULL,
        anchor_hash TEXT NOT NULL
      );
      INSERT INTO audit_chain VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0, '0000000000000000000000000000000000000000000000000000000000000000');
    `,
  },
  {
    version: 5,
    name: 'sign-in sessions indexed by user',
    sql: `
      CREATE TABLE sessions (
        hash TEXT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        user_agent TEXT,
        ip TEXT
      );
      CREATE INDEX sessions_user ON sessions (user_id, created_at);
      CREATE INDEX sessions_expires_at ON sessions (expires_at);
      -- Sessions kept so far as ephemeral records move over, so nobody is signed out.
      INSERT INTO sessions (hash, id, user_id, created_at, last_seen_at, expires_at)
        SELECT id, json_extract(doc, '$.sid'), json_extract(doc, '$.userId'), json_extract(doc, '$.authTime'), json_extract(doc, '$.authTime'), expires_at FROM ephemeral WHERE kind = 'session';
      DELETE FROM ephemeral WHERE kind = 'session';
    `,
  },
  {
    version: 6,
    name: 'expiry indexes for the housekeeping sweep',
    sql: `
      CREATE INDEX revoked_jtis_expires_at ON revoked_jtis (expires_at);
      CREATE INDEX replay_markers_expires_at ON replay_markers (expires_at);
    `,
  },
  {
    version: 10,
    name: 'mail: the outbox, and users found by email address',
    sql: `
      ALTER TABLE users ADD COLUMN email TEXT;
      UPDATE users SET email = lower(json_extract(doc, '$.email'));
      CREATE INDEX users_email ON users (email);
      CREATE TABLE mail_outbox (
        id TEXT PRIMARY KEY,
        event_key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        recipient TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
        attempts INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        sent_at INTEGER
      );
      CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
      CREATE INDEX mail_outbox_created ON mail_outbox (created_at);
    `,
  },
  {
    version: 13,
    name: 'upstream identity providers and linked identities',
    sql: `
      CREATE TABLE identity_providers (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
      CREATE TABLE federated_identities (
        provider_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        user_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (provider_id, subject)
      );
      CREATE INDEX federated_identities_user ON federated_identities (user_id);
    `,
  },
  {
    version: 14,
    name: 'second factors (TOTP), recovery codes, and how a session authenticated',
    sql: `
      CREATE TABLE user_factors (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        type TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_used_step INTEGER,
        last_used_at INTEGER,
        doc TEXT NOT NULL
      );
      CREATE INDEX user_factors_user ON user_factors (user_id, created_at);
      CREATE TABLE recovery_codes (
        user_id TEXT NOT NULL,
        hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        used_at INTEGER,
        PRIMARY KEY (user_id, hash)
      );
      ALTER TABLE sessions ADD COLUMN amr TEXT;
    `,
  },
  {
    version: 16,
    name: 'device authorizations (RFC 8628)',
    sql: `
      CREATE TABLE device_authorizations (
        device_code_hash TEXT PRIMARY KEY,
        user_code_hash TEXT NOT NULL UNIQUE,
        client_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied')),
        user_id TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        poll_interval INTEGER NOT NULL,
        last_polled_at INTEGER,
        doc TEXT NOT NULL
      );
      CREATE INDEX device_authorizations_expires_at ON device_authorizations (expires_at);
    `,
  },
  {
    version: 17,
    name: 'passkeys: a factor’s credential ID (unique) and signature counter',
    sql: `
      ALTER TABLE user_factors ADD COLUMN credential_id TEXT;
      ALTER TABLE user_factors ADD COLUMN sign_count INTEGER;
      CREATE UNIQUE INDEX user_factors_credential ON user_factors (credential_id);
    `,
  },
  {
    version: 19,
    name: 'tokens and consents by client (deleting a client revokes them)',
    sql: `
      CREATE INDEX tokens_client ON tokens (client_id);
      CREATE INDEX consents_client ON consents (client_id);
    `,
  },
  {
    version: 18,
    name: 'back-channel logout deliveries: an outbox of their own, so they survive a restart',
    sql: `
      CREATE TABLE logout_outbox (
        id TEXT PRIMARY KEY,
        event_key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        recipient TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
        attempts INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        sent_at INTEGER
      );
      CREATE INDEX logout_outbox_due ON logout_outbox (status, next_attempt_at);
      CREATE INDEX logout_outbox_created ON logout_outbox (created_at);
    `,
  },
];
