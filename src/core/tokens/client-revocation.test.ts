import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqliteStore } from '../../stores/sqlite/sqlite-store.js';
import type { AuditEventInput } from '../audit/audit-event.js';
import type { AuditLog } from '../audit/audit-log.js';
import { FrozenClock } from '../clock.js';
import type { Client, StoredToken } from '../model.js';
import { isRevokedWithClient, predatesClient, removeClient } from './client-revocation.js';

const client = (clientId: string): Client =>
  ({
    clientId,
    name: clientId,
    type: 'public',
    tokenEndpointAuthMethod: 'none',
    secrets: [],
    redirectUris: [],
    grantTypes: ['authorization_code'],
    permissions: {},
    introspection: 'own',
  }) as Client;

const token = (hash: string, clientId: string, subject: string, issuedAt: number): StoredToken => ({
  hash,
  kind: 'refresh_token',
  jti: hash,
  clientId,
  subject,
  audience: 'https://api.test',
  scope: '',
  issuedAt,
  expiresAt: issuedAt + 3600,
});

describe('removeClient', () => {
  it('deletes the client, revokes its tokens and consents, audits, and marks its JWTs revoked until they expire', async () => {
    const store = new SqliteStore(':memory:');
    await store.migrate();
    const clock = new FrozenClock(10_000);
    const events: AuditEventInput[] = [];
    const audit = { record: (e: AuditEventInput) => void events.push(e) } as unknown as AuditLog;
    let changes = 0;
    await store.upsertClient(client('doomed'));
    await store.insertToken(token('t1', 'doomed', 'alice', 9_000));
    await store.insertToken(token('t2', 'doomed', 'bob', 9_500));
    await store.insertToken(token('t3', 'kept', 'alice', 9_500));
    await store.upsertConsent({ userId: 'alice', clientId: 'doomed', scopes: ['openid'], createdAt: 1, updatedAt: 1 });
    await store.upsertConsent({ userId: 'alice', clientId: 'kept', scopes: ['openid'], createdAt: 1, updatedAt: 1 });

    // Both ways the client's deletion reaches the caches (directly, or through a catalog writer) count as one change.
    const deps = {
      store,
      clock,
      audit,
      longestLifetime: async () => 3600,
      afterChange: async () => void (changes += 1),
      clients: { deleteClient: async (id: string) => ((changes += 1), store.deleteClient(id)) },
    } as unknown as Parameters<typeof removeClient>[0];
    const removed = await removeClient(deps, 'doomed', { via: 'management', actor: { type: 'user', id: 'root' } });
    assert.deepEqual(removed, { deleted: true, tokens: 2, consents: 1 });
    assert.equal(await store.getClient('doomed'), undefined);
    assert.equal((await store.findTokenByHash('t3'))?.revokedAt, undefined, "another client's tokens stay");
    assert.equal((await store.getConsent('alice', 'kept'))?.clientId, 'kept');
    assert.equal(changes, 1, 'caches are told');
    assert.deepEqual(
      events.map((e) => [e.type, e.clientId, e.details]),
      [['token.revoked', 'doomed', { clientDeleted: true, via: 'management', tokens: 2, consents: 1 }]],
    );

    // JWTs: issued before (or at) the deletion are revoked; those of a client created again later under the same id are not.
    assert.equal(await isRevokedWithClient(store, 'doomed', 9_999, 10_000), true);
    assert.equal(await isRevokedWithClient(store, 'doomed', 10_000, 10_000), true);
    assert.equal(await isRevokedWithClient(store, 'doomed', 10_001, 10_001), false);
    assert.equal(await isRevokedWithClient(store, 'kept', 9_000, 10_000), false);
    assert.equal(await isRevokedWithClient(store, '', 9_000, 10_000), false);
    assert.equal(await isRevokedWithClient(store, 'doomed', 9_999, 10_000 + 3600), false, 'the marker lasts as long as a token can');
    await store.close();
  });

  it('tells a code or token of a deleted client from one of the client re-created under its id, with no store read', () => {
    assert.equal(predatesClient({ createdAt: 10_000 }, 9_999), true);
    assert.equal(predatesClient({ createdAt: 10_000 }, 10_000), false, 'the same second passes: a code issued as the client was created');
    assert.equal(predatesClient({ createdAt: 10_000 }, 10_001), false);
    assert.equal(predatesClient({}, 0), false, 'a client saved before createdAt was recorded');
  });
});
