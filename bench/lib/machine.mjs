/**
 * What the report's first line says about the run: CPU, Node, and the versions of
 * Tessera (with its git revision), oidc-provider and autocannon measured.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { BENCH, ROOT } from './paths.mjs';

/** The machine and the versions under test, for `results.machine`. */
export function machine() {
  const rev = gitRevision();
  return {
    cpu: cpus()[0]?.model?.trim() ?? 'unknown',
    cores: cpus().length,
    node: process.versions.node,
    tessera: `${version(join(ROOT, 'package.json'))}${rev ? ` (${rev})` : ''}`,
    oidcProvider: version(join(BENCH, 'node_modules', 'oidc-provider', 'package.json')),
    autocannon: version(join(BENCH, 'node_modules', 'autocannon', 'package.json')),
  };
}

function version(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

function gitRevision() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}
