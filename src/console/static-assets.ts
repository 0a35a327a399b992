/**
 * The console's static files (src/console/assets: browser ES modules, a style sheet
 * and an icon), read into memory on the first request for one
 * (http/console-routes.ts). A request names a file by its path relative
 * to that folder and gets it only if it is one of the files read: nothing is ever
 * opened from a requested path, so `..` and the like cannot reach other files.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative, sep } from 'node:path';

export interface Asset {
  body: string;
  contentType: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The assets folder: beside this module in src/, or the source one when running from dist/. */
function assetsDir(): string {
  const beside = fileURLToPath(new URL('./assets/', import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL('../../src/console/assets/', import.meta.url));
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

export function loadAssets(dir = assetsDir()): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const path of walk(dir)) {
    const type = TYPES[path.slice(path.lastIndexOf('.'))];
    if (!type) continue;
    const body = readFileSync(path, 'utf8');
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(relative(dir, path).split(sep).join('/'), { body, contentType: type, etag });
  }
  return assets;
}
