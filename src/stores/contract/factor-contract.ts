/**
 * The store contract's part for second factors: TOTP factors whose steps are used
 * once, recovery codes used once, both gone with their user; and the `amr` a session keeps.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { PasskeyFactor, TotpFactor } from '../../core/model.js';
import type { Store } from '../../core/ports/storage.js';

const passkey = (id: string, userId: string, credentialId: string, signCount: number): PasskeyFactor => ({
  id,
  userId,
  type: 'passkey',
  name: `Passkey ${id}`,
  credentialId,
  publicKey: `pk-${id}`,
  signCount,
  transports: ['internal', 'hybrid'],
  deviceType: 'multiDevice',
  backedUp: true,
  createdAt: 30,
});

const factor = (id: string, userId: string, createdAt: number): TotpFactor => ({
  id,
  userId,
  type: 'totp',
  name: 'Authenticator app',
  secretEncrypted: `enc-${id}`,
  createdAt,
});

export function factorContract(store: () => Store): void {
  it('keeps, lists and removes a user’s factors; a TOTP step is used once, later steps only', async () => {
    const s = store();
    await s.insertUserFactor(factor('f2', 'u-mfa', 20));
    await s.insertUserFactor({ ...factor('f1', 'u-mfa', 10), lastUsedStep: 7, lastUsedAt: 8 });
    await s.insertUserFactor(factor('f3', 'u-other', 5));
    assert.deepEqual(await s.listUserFactors('u-mfa'), [{ ...factor('f1', 'u-mfa', 10), lastUsedStep: 7, lastUsedAt: 8 }, factor('f2', 'u-mfa', 20)]);
    assert.equal(await s.useTotpStep('u-mfa', 'f1', 7, 100), false, 'the step already used');
    assert.equal(await s.useTotpStep('u-mfa', 'f1', 6, 100), false, 'an earlier step');
    assert.equal(await s.useTotpStep('u-other', 'f1', 9, 100), false, 'someone else’s factor');
    const raced = await Promise.all([s.useTotpStep('u-mfa', 'f1', 8, 100), s.useTotpStep('u-mfa', 'f1', 8, 100)]);
    assert.deepEqual(raced.filter(Boolean).length, 1, 'one caller wins a step');
    assert.equal(await s.useTotpStep('u-mfa', 'f2', 1, 101), true, 'a first use');
    const [f1, f2] = (await s.listUserFactors('u-mfa')) as TotpFactor[];
    assert.equal(f1?.lastUsedStep, 8);
    assert.equal(f1?.lastUsedAt, 100);
    assert.equal(f2?.lastUsedStep, 1);
    assert.equal(await s.deleteUserFactor('u-other', 'f2'), false);
    assert.equal(await s.deleteUserFactor('u-mfa', 'f2'), true);
    assert.deepEqual(
      (await s.listUserFactors('u-mfa')).map((f) => f.id),
      ['f1'],
    );
  });

  it('replaces recovery codes, uses each once, counts them, and resets everything of a user', async () => {
    const s = store();
    assert.deepEqual(await s.countRecoveryCodes('u-rc'), { total: 0, remaining: 0 });
    await s.replaceRecoveryCodes('u-rc', ['h1', 'h2', 'h3'], 10);
    assert.equal(await s.useRecoveryCode('u-rc', 'h1', 11), true);
    assert.equal(await s.useRecoveryCode('u-rc', 'h1', 12), false, 'used already');
    assert.equal(await s.useRecoveryCode('u-other', 'h2', 12), false, 'someone else’s code');
    assert.deepEqual(await s.countRecoveryCodes('u-rc'), { total: 3, remaining: 2 });
    await s.replaceRecoveryCodes('u-rc', ['h4', 'h5'], 20);
    assert.equal(await s.useRecoveryCode('u-rc', 'h2', 21), false, 'replaced codes are gone');
    assert.deepEqual(await s.countRecoveryCodes('u-rc'), { total: 2, remaining: 2 });
    await s.insertUserFactor(factor('f-rc', 'u-rc', 1));
    assert.equal(await s.deleteUserFactors('u-rc'), 1);
    assert.deepEqual(await s.listUserFactors('u-rc'), []);
    assert.deepEqual(await s.countRecoveryCodes('u-rc'), { total: 0, remaining: 0 });
  });

  it('deletes a user’s factors and recovery codes with the user; sessions keep their amr', async () => {
    const s = store();
    const user = await s.upsertUser({ id: 'u-mfa-del', username: 'mfa-del', active: true, roles: [] });
    await s.insertUserFactor(factor('f-del', user.id, 1));
    await s.replaceRecoveryCodes(user.id, ['h'], 1);
    await s.deleteUser(user.id);
    assert.deepEqual(await s.listUserFactors(user.id), []);
    assert.deepEqual(await s.countRecoveryCodes(user.id), { total: 0, remaining: 0 });
    await s.insertSession({ id: 'sid-amr', hash: 'hash-amr', userId: 'u', createdAt: 1, lastSeenAt: 1, expiresAt: 9999, amr: ['pwd', 'otp', 'mfa'] });
    assert.deepEqual((await s.findSessionByHash('hash-amr', 2))?.amr, ['pwd', 'otp', 'mfa']);
  });

  it('keeps passkeys beside TOTP factors, finds one by credential ID, and moves its counter forward only', async () => {
    const s = store();
    await s.insertUserFactor(factor('pt1', 'u-pk', 10));
    await s.insertUserFactor(passkey('pk1', 'u-pk', 'cred-counting', 5));
    await s.insertUserFactor(passkey('pk2', 'u-pk', 'cred-zero', 0));
    assert.deepEqual(await s.listUserFactors('u-pk'), [
      factor('pt1', 'u-pk', 10),
      passkey('pk1', 'u-pk', 'cred-counting', 5),
      passkey('pk2', 'u-pk', 'cred-zero', 0),
    ]);
    assert.deepEqual(await s.findPasskey('cred-counting'), passkey('pk1', 'u-pk', 'cred-counting', 5));
    assert.equal(await s.findPasskey('cred-unknown'), undefined);
    assert.equal(await s.findPasskey('pt1'), undefined, 'a TOTP factor is no passkey');
    await assert.rejects(s.insertUserFactor(passkey('pk3', 'u-other', 'cred-counting', 0)), 'a credential ID belongs to one factor');
    assert.equal(await s.usePasskey('u-pk', 'pk1', 5, 40), false, 'a counter that stood still');
    assert.equal(await s.usePasskey('u-pk', 'pk1', 4, 40), false, 'a counter that went back');
    assert.equal(await s.usePasskey('u-other', 'pk1', 9, 40), false, 'someone else’s passkey');
    assert.equal(await s.usePasskey('u-pk', 'pt1', 9, 40), false, 'not a passkey');
    const raced = await Promise.all([s.usePasskey('u-pk', 'pk1', 6, 41), s.usePasskey('u-pk', 'pk1', 6, 41)]);
    assert.equal(raced.filter(Boolean).length, 1, 'one caller wins a count');
    assert.equal(await s.usePasskey('u-pk', 'pk2', 0, 42), true, 'an authenticator that counts nothing');
    assert.equal(await s.usePasskey('u-pk', 'pk2', 0, 43), true);
    assert.deepEqual(await s.findPasskey('cred-counting'), { ...passkey('pk1', 'u-pk', 'cred-counting', 6), lastUsedAt: 41 });
    assert.deepEqual(await s.findPasskey('cred-zero'), { ...passkey('pk2', 'u-pk', 'cred-zero', 0), lastUsedAt: 43 });
    assert.equal(await s.usePasskey('u-pk', 'pk2', 3, 44), true, 'a first count after none');
    assert.equal(await s.usePasskey('u-pk', 'pk2', 0, 45), false, 'back to zero after counting');
    assert.equal(await s.deleteUserFactors('u-pk'), 3);
    assert.equal(await s.findPasskey('cred-zero'), undefined);
  });
}
