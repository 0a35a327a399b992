/**
 * Store scale (scenario "store"): fills Tessera's `tokens` table with N stored
 * reference access tokens before the server starts, by a direct bulk insert through
 * the store's own schema (migrations applied by `tessera apply`; the column list and
 * row mapping are the store's, dist/stores/sql-rows.js), not through HTTP.
 *
 * A sample of the rows are real tokens: minted with Tessera's token format and stored
 * under the key the server derives (from the same master key), spread evenly
 * through the table, so that introspection can ask for a different stored token each
 * time. The rest have random keys of the same shape. Returns the sample's tokens.
 *
 * Builds with time-ordered keys for access tokens (dist/core/tokens/stored-token-key.js)
 * get rows keyed as they would have been issued: a sample token is minted with the time
 * of its row's issued_at, and every other key starts with a time part too, from issued_at
 * plus a random millisecond. Older builds get bare keyed hashes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = (root, path) => import(pathToFileURL(join(root, 'dist', path)).href);

async function rowMaker({ root, masterKey, count, sample, clientId, audience, scope }) {
  const { deriveKeys } = await dist(root, 'core/crypto/master-key.js');
  const { SecretHasher } = await dist(root, 'core/crypto/secret-hasher.js');
  const { mintTokenString, TOKEN_PREFIXES } = await dist(root, 'core/crypto/token-string.js');
  const { TOKEN_COLUMNS, tokenValues } = await dist(root, 'stores/sql-rows.js');
  const keys = await dist(root, 'core/tokens/stored-token-key.js').catch(() => undefined);
  const hasher = new SecretHasher(deriveKeys(Buffer.from(masterKey, 'hex')).secretHashKey);
  const stride = Math.max(1, Math.floor(count / Math.max(1, sample)));
  const now = Math.floor(Date.now() / 1000);
  const tokens = [];
  let random = Buffer.alloc(0);
  const row = (i) => {
    let hash;
    const issuedAt = now - (i % 3600);
    if (i % stride === 0 && tokens.length < sample) {
      const token = keys ? keys.mintReferenceAccessToken(issuedAt * 1000) : mintTokenString(TOKEN_PREFIXES.access_token);
      tokens.push(token);
      hash = keys ? keys.storedTokenKey(hasher, token) : hasher.hash(token);
    } else {
      if (i % 65_536 === 0 || random.length === 0) random = randomBytes(65_536 * 32);
      const at = (i % 65_536) * 32;
      hash = random.subarray(at, at + 32).toString('base64url');
      // A time-led token of the same second (payload and hash random): its key's time part.
      if (keys) hash = keys.storedTokenKey({ hash: () => hash }, keys.mintReferenceAccessToken(issuedAt * 1000 + (i % 1000)));
    }
    return tokenValues({
      hash,
      kind: 'access_token',
      jti: randomUUID(),
      clientId,
      subject: clientId,
      audience,
      scope,
      issuedAt,
      // Valid for the whole run, spread over an hour so the expiry index is not one value.
      expiresAt: now + 3600 + (i % 3600),
    });
  };
  return { row, tokens, TOKEN_COLUMNS };
}

/** SQLite: the server's file in dataDir, one transaction per 50,000 rows. */
export async function seedSqlite(options) {
  const { root, dataDir, count } = options;
  const Database = createRequire(join(root, 'package.json'))('better-sqlite3');
  const { row, tokens, TOKEN_COLUMNS } = await rowMaker(options);
  const db = new Database(join(dataDir, 'tessera.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF'); // seeding only: the server reopens the file with its own settings
    db.pragma('cache_size = -262144');
    const columns = TOKEN_COLUMNS.split(',').length;
    const insert = db.prepare(`INSERT INTO tokens (${TOKEN_COLUMNS}) VALUES (${Array(columns).fill('?').join(', ')})`);
    const batch = db.transaction((from, to) => {
      for (let i = from; i < to; i++) insert.run(...row(i));
    });
    for (let from = 0; from < count; from += 50_000) batch(from, Math.min(count, from + 50_000));
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('ANALYZE');
  } finally {
    db.close();
  }
  return tokens;
}

/** PostgreSQL: the schema named by `schema` (already migrated), multi-row INSERTs of 1,000 rows. */
export async function seedPostgres(options) {
  const { root, databaseUrl, schema, count } = options;
  const pg = createRequire(join(root, 'package.json'))('pg');
  const { row, tokens, TOKEN_COLUMNS } = await rowMaker(options);
  const client = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const columns = TOKEN_COLUMNS.split(',').length;
    for (let from = 0; from < count; from += 1000) {
      const to = Math.min(count, from + 1000);
      const values = [];
      const groups = [];
      for (let i = from; i < to; i++) {
        const base = values.length;
        values.push(...row(i));
        groups.push(`(${Array.from({ length: columns }, (_, k) => `$${base + k + 1}`).join(', ')})`);
      }
      await client.query(`INSERT INTO tokens (${TOKEN_COLUMNS}) VALUES ${groups.join(', ')}`, values);
    }
    await client.query('ANALYZE tokens');
  } finally {
    await client.end();
  }
  return tokens;
}
