/**
 * The store contract's part for device authorizations (RFC 8628): looked up by user
 * code until they expire, decided once, polled with slow_down bookkeeping, and
 * consumed by exactly one token request.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { DeviceApproval, DeviceAuthorization } from '../../core/ports/device-authorizations.js';
import type { Store } from '../../core/ports/storage.js';

const T = 1_800_000_000;

const pending = (n: string, overrides: Partial<DeviceAuthorization> = {}): DeviceAuthorization => ({
  deviceCodeHash: `dc-${n}`,
  userCodeHash: `uc-${n}`,
  clientId: 'tv-app',
  scopes: ['openid', 'read:calendars'],
  api: 'https://calendar.example.com',
  status: 'pending',
  createdAt: T,
  expiresAt: T + 600,
  interval: 5,
  ...overrides,
});

const approval: DeviceApproval = { userId: 'u1', scopes: ['openid'], authTime: T + 10, sid: 'sid-1', grantId: 'g-1' };

export function deviceAuthorizationContract(store: () => Store): void {
  it('stores a device authorization and finds it by user code until it expires', async () => {
    const repo = store().deviceAuthorizations;
    assert.equal(await repo.insertDeviceAuthorization(pending('a')), true);
    assert.equal(await repo.insertDeviceAuthorization(pending('b', { userCodeHash: 'uc-a' })), false, 'user codes are unique');
    assert.deepEqual(await repo.findDeviceAuthorizationByUserCode('uc-a', T + 1), pending('a'));
    assert.equal(await repo.findDeviceAuthorizationByUserCode('uc-a', T + 600), undefined, 'expired');
    assert.equal(await repo.findDeviceAuthorizationByUserCode('uc-nope', T), undefined);
    const bare = pending('bare', { scopes: [] });
    delete bare.api;
    await repo.insertDeviceAuthorization(bare);
    assert.deepEqual(await repo.findDeviceAuthorizationByUserCode('uc-bare', T), bare);
  });

  it('decides a pending authorization once, never an expired one', async () => {
    const repo = store().deviceAuthorizations;
    await repo.insertDeviceAuthorization(pending('c'));
    await repo.insertDeviceAuthorization(pending('d'));
    await repo.insertDeviceAuthorization(pending('e'));
    const results = await Promise.all(Array.from({ length: 5 }, () => repo.decideDeviceAuthorization('uc-c', { status: 'approved', approval }, T + 10)));
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal(await repo.decideDeviceAuthorization('uc-c', { status: 'denied' }, T + 11), false, 'already decided');
    assert.deepEqual(await repo.findDeviceAuthorizationByUserCode('uc-c', T + 12), { ...pending('c'), status: 'approved', approval });
    assert.equal(await repo.decideDeviceAuthorization('uc-d', { status: 'denied' }, T + 10), true);
    assert.equal((await repo.findDeviceAuthorizationByUserCode('uc-d', T + 10))?.status, 'denied');
    assert.equal(await repo.decideDeviceAuthorization('uc-e', { status: 'approved', approval }, T + 600), false, 'expired');
  });

  it('records polls, raising the interval of a device that polls too fast', async () => {
    const repo = store().deviceAuthorizations;
    await repo.insertDeviceAuthorization(pending('f'));
    const first = await repo.pollDeviceAuthorization('dc-f', T + 5, 5);
    assert.deepEqual(first, { authorization: pending('f'), tooFast: false });
    const second = await repo.pollDeviceAuthorization('dc-f', T + 7, 5);
    assert.equal(second?.tooFast, true);
    assert.equal(second?.authorization.lastPolledAt, T + 5);
    const third = await repo.pollDeviceAuthorization('dc-f', T + 12, 5);
    assert.equal(third?.tooFast, true, 'the interval is 10 seconds now');
    assert.equal(third?.authorization.interval, 10);
    const fourth = await repo.pollDeviceAuthorization('dc-f', T + 30, 5);
    assert.deepEqual([fourth?.tooFast, fourth?.authorization.interval, fourth?.authorization.lastPolledAt], [false, 15, T + 12]);
    const racing = await Promise.all(Array.from({ length: 4 }, () => repo.pollDeviceAuthorization('dc-f', T + 100, 5)));
    assert.equal(racing.filter((r) => r?.tooFast).length, 3, 'concurrent polls see each other');
    assert.equal(await repo.pollDeviceAuthorization('dc-nope', T, 5), undefined);
    const late = await repo.pollDeviceAuthorization('dc-f', T + 5000, 5);
    assert.equal(late?.authorization.expiresAt, T + 600, 'an expired one is still returned, to be reported as such');
  });

  it('lets exactly one caller consume an approved authorization', async () => {
    const repo = store().deviceAuthorizations;
    await repo.insertDeviceAuthorization(pending('g'));
    assert.equal(await repo.consumeDeviceAuthorization('dc-g'), false, 'not approved yet');
    await repo.decideDeviceAuthorization('uc-g', { status: 'approved', approval }, T + 1);
    const results = await Promise.all(Array.from({ length: 5 }, () => repo.consumeDeviceAuthorization('dc-g')));
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal(await repo.pollDeviceAuthorization('dc-g', T + 2, 5), undefined, 'gone');
  });

  it('deletes one, and those expired before a time', async () => {
    const repo = store().deviceAuthorizations;
    await repo.insertDeviceAuthorization(pending('h'));
    await repo.deleteDeviceAuthorization('dc-h');
    assert.equal(await repo.findDeviceAuthorizationByUserCode('uc-h', T), undefined);
    await repo.insertDeviceAuthorization(pending('i', { expiresAt: T + 100 }));
    await repo.insertDeviceAuthorization(pending('j', { expiresAt: T + 10_000 }));
    const removed = await repo.deleteExpiredDeviceAuthorizations(T + 5000);
    assert.ok(removed >= 1);
    assert.equal(await repo.pollDeviceAuthorization('dc-i', T, 5), undefined);
    assert.ok(await repo.pollDeviceAuthorization('dc-j', T, 5));
  });
}
