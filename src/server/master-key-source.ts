/**
 * Where the master key comes from, in order: TESSERA_MASTER_KEY, the file named by
 * TESSERA_MASTER_KEY_FILE, or `<data dir>/master.key`. On the embedded store the
 * file is created on first run (mode 0600) with a warning; instances sharing a
 * PostgreSQL database must share one key, so there it must be given explicitly.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { MASTER_KEY_BYTES, parseMasterKey } from '../core/crypto/master-key.js';

export interface MasterKeyResult {
  key: Buffer;
  source: string;
  /** A warning to print when the key was generated or is kept next to the data. */
  warning?: string;
}

function parseFrom(text: string, source: string): Buffer {
  try {
    return parseMasterKey(text);
  } catch (error) {
    throw new ConfigError(`${source}: ${(error as Error).message}`);
  }
}

export function loadMasterKey(options: { env: NodeJS.ProcessEnv; dataDir: string; shared: boolean }): MasterKeyResult {
  const { env } = options;
  if (env.TESSERA_MASTER_KEY) return { key: parseFrom(env.TESSERA_MASTER_KEY, 'TESSERA_MASTER_KEY'), source: 'TESSERA_MASTER_KEY' };
  if (env.TESSERA_MASTER_KEY_FILE) {
    const path = env.TESSERA_MASTER_KEY_FILE;
    if (!existsSync(path)) throw new ConfigError(`TESSERA_MASTER_KEY_FILE: no such file ${path}`);
    return { key: parseFrom(readFileSync(path, 'utf8'), path), source: path };
  }
  if (options.shared) {
    throw new ConfigError(
      'TESSERA_MASTER_KEY (or TESSERA_MASTER_KEY_FILE) must be set when using PostgreSQL: every instance needs the same key. ' +
        "Generate one with: node -e \"console.log(require('crypto').randomBytes(32).toString('hex'))\"",
    );
  }
  const path = join(options.dataDir, 'master.key');
  if (existsSync(path)) {
    return {
      key: parseFrom(readFileSync(path, 'utf8'), path),
      source: path,
      warning: `master key read from ${path}, next to the data it protects; set TESSERA_MASTER_KEY in production`,
    };
  }
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(MASTER_KEY_BYTES);
  writeFileSync(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return {
    key,
    source: path,
    warning: `generated a new master key in ${path}; back it up (losing it loses the signing keys and every client secret) and set TESSERA_MASTER_KEY in production`,
  };
}
