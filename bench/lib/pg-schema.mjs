/**
 * Throwaway PostgreSQL schemas for the store-scale runs: each run gets a schema of its
 * own, dropped afterwards, so the database named by DATABASE_URL is left as it was.
 * `pg` comes from the repository's own node_modules (a Tessera dependency).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { log } from './log.mjs';
import { ROOT } from './paths.mjs';

async function pgClient(databaseUrl) {
  const pg = createRequire(join(ROOT, 'package.json'))('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  return client;
}

export async function createSchema(databaseUrl, schema) {
  const client = await pgClient(databaseUrl);
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
}

export async function dropSchemaQuietly(databaseUrl, schema) {
  try {
    const client = await pgClient(databaseUrl);
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await client.end();
    }
  } catch (error) {
    log(`bench: could not drop PostgreSQL schema ${schema}: ${error.message}`);
  }
}
