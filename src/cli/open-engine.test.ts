/**
 * A CLI command's engine follows the settings `tessera start` does: openEngine builds
 * its options with the server's engineOptionsFrom, so a setting in the configuration
 * file (here: pushed authorization requests required) holds for both.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openEngine } from './open-engine.js';

describe('openEngine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-open-engine-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('builds the engine from the server settings, with the issuer given', async () => {
    const config = join(dir, 'tessera.yaml');
    writeFileSync(config, 'server:\n  requirePushedAuthorizationRequests: true\n');
    const opened = await openEngine({ data: join(dir, 'data'), config, issuer: 'https://id.example' }, {});
    try {
      const discovery = await opened.engine.discovery();
      assert.equal(discovery.issuer, 'https://id.example');
      assert.equal(discovery.require_pushed_authorization_requests, true);
    } finally {
      await opened.engine.close();
      await opened.store.close();
    }
  });
});
