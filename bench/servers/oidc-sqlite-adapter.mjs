/**
 * A persistent oidc-provider adapter on better-sqlite3, with the pragmas of Tessera's
 * embedded store (WAL, synchronous=NORMAL), so that "stored reference token" costs a
 * durable SQLite row on both sides rather than a Map entry on one of them.
 *
 * better-sqlite3 is one of Tessera's own dependencies; it resolves from the
 * repository's node_modules (installed by the root `npm ci`), so the bench does not
 * build a second copy of the native module.
 */
import Database from 'better-sqlite3';

export function sqliteAdapter(filename) {
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS oidc_models (
      model TEXT NOT NULL,
      id TEXT NOT NULL,
      payload TEXT NOT NULL,
      grant_id TEXT,
      user_code TEXT,
      uid TEXT,
      expires_at INTEGER,
      PRIMARY KEY (model, id)
    );
    CREATE INDEX IF NOT EXISTS oidc_models_grant ON oidc_models (grant_id);
    CREATE INDEX IF NOT EXISTS oidc_models_uid ON oidc_models (model, uid);
    CREATE INDEX IF NOT EXISTS oidc_models_user_code ON oidc_models (model, user_code);
  `);
  const upsert = db.prepare(`INSERT INTO oidc_models (model, id, payload, grant_id, user_code, uid, expires_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
      user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`);
  const byId = db.prepare('SELECT payload, expires_at FROM oidc_models WHERE model = ? AND id = ?');
  const byUid = db.prepare('SELECT payload, expires_at FROM oidc_models WHERE model = ? AND uid = ?');
  const byUserCode = db.prepare('SELECT payload, expires_at FROM oidc_models WHERE model = ? AND user_code = ?');
  const destroy = db.prepare('DELETE FROM oidc_models WHERE model = ? AND id = ?');
  const revokeGrant = db.prepare('DELETE FROM oidc_models WHERE grant_id = ?');
  const consume = db.prepare(
    "UPDATE oidc_models SET payload = json_set(payload, '$.consumed', ?) WHERE model = ? AND id = ?",
  );

  const live = (row) => {
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= Date.now()) return undefined;
    return JSON.parse(row.payload);
  };

  return class SqliteAdapter {
    constructor(model) {
      this.model = model;
    }

    async upsert(id, payload, expiresIn) {
      const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : null;
      upsert.run(this.model, id, JSON.stringify(payload), payload.grantId ?? null, payload.userCode ?? null, payload.uid ?? null, expiresAt);
    }

    async find(id) {
      return live(byId.get(this.model, id));
    }

    async findByUid(uid) {
      return live(byUid.get(this.model, uid));
    }

    async findByUserCode(userCode) {
      return live(byUserCode.get(this.model, userCode));
    }

    async consume(id) {
      consume.run(Math.floor(Date.now() / 1000), this.model, id);
    }

    async destroy(id) {
      destroy.run(this.model, id);
    }

    async revokeByGrantId(grantId) {
      revokeGrant.run(grantId);
    }
  };
}
