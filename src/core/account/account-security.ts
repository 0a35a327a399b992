/**
 * The account page's security section: setting up an authenticator app (a QR code,
 * confirmed by a first code), removing it (with a code from it, or a recovery code),
 * and recovery codes (new ones replace the old and are shown once). Passkeys: adding
 * one (named; the challenge bound to this session), removing one, and removing the
 * password once a passkey can sign in alone (the last passkey then stays).
 */
import { requestOrigin } from '../audit/request-origin.js';
import { verifyPassword } from '../crypto/password.js';
import { PASSKEY_SCRIPT_PATH } from '../mfa/passkeys.js';
import type { EngineRequest, EngineResponse } from '../request.js';
import { renderAccount, type AccountEngine } from './account-view.js';
import { redirect, type AccountVisitor } from './visitor.js';

type Action = (engine: AccountEngine, visitor: AccountVisitor, request: EngineRequest) => Promise<EngineResponse>;

const refuse = (engine: AccountEngine, visitor: AccountVisitor, text: string, extras: Parameters<typeof renderAccount>[2] = {}) =>
  renderAccount(engine, visitor, { ...extras, notice: { section: 'security', kind: 'error', text }, status: 400 });

const startTotp: Action = async (engine, visitor) => {
  if ((await engine.flow.mfa.list(visitor.user.id)).length > 0)
    return refuse(engine, visitor, 'You already have an authenticator app. Remove it first to set up another.');
  return renderAccount(engine, visitor, { enrolment: engine.flow.mfa.startTotp(visitor.user) });
};

const confirmTotp: Action = async (engine, visitor, request) => {
  const { mfa } = engine.flow;
  const actor = { type: 'user', id: visitor.user.id } as const;
  const sealed = request.params.get('enrolment');
  const result = await mfa.confirmTotp(visitor.user, sealed, request.params.get('code') ?? '', requestOrigin(request), actor, request.ip ?? 'unknown');
  if (!result.ok) {
    const enrolment = result.expired ? undefined : mfa.resumeTotp(visitor.user, sealed);
    return refuse(engine, visitor, result.message, enrolment ? { enrolment } : {});
  }
  // A first factor comes with recovery codes; codes the user already has are kept.
  const { remaining } = await mfa.recoveryCodes(visitor.user.id);
  const codes = remaining > 0 ? undefined : await mfa.regenerateRecoveryCodes(visitor.user.id, actor, requestOrigin(request));
  return renderAccount(engine, visitor, {
    notice: { section: 'security', kind: 'success', text: 'Your authenticator app is set up: you will be asked for a code when you sign in.' },
    ...(codes ? { newRecoveryCodes: codes } : {}),
  });
};

const removeFactor: Action = async (engine, visitor, request) => {
  const { mfa } = engine.flow;
  const id = request.params.get('id') ?? '';
  if (!(await mfa.list(visitor.user.id)).some((f) => f.id === id && f.type === 'totp')) return refuse(engine, visitor, 'That factor has already been removed.');
  // A session alone does not remove a factor: a code from it (or a recovery code) shows the holder is here.
  const checked = await mfa.check(visitor.user, request.params.get('code') ?? '', requestOrigin(request));
  if (!checked.ok)
    return refuse(engine, visitor, `To remove it, enter a code from the app (or a recovery code). ${checked.status === 429 ? checked.message : ''}`.trim());
  await mfa.remove(visitor.user.id, id, { type: 'user', id: visitor.user.id }, requestOrigin(request));
  return redirect(`${engine.issuer}/account?done=factor-removed#security`);
};

const regenerateRecoveryCodes: Action = async (engine, visitor, request) => {
  const { mfa } = engine.flow;
  if (!(await mfa.has(visitor.user.id))) return refuse(engine, visitor, 'Set up an authenticator app first: recovery codes stand in for it.');
  const codes = await mfa.regenerateRecoveryCodes(visitor.user.id, { type: 'user', id: visitor.user.id }, requestOrigin(request));
  return renderAccount(engine, visitor, { newRecoveryCodes: codes });
};

const MAX_PASSKEY_NAME = 60;

/** A passkey signs in by itself: adding one takes the password (or, without one, a sign-in from the last minutes), not the session alone. */
const RECENT_SIGN_IN = 900;

const startPasskey: Action = async (engine, visitor, request) => {
  const { user } = visitor;
  const name = (request.params.get('name') ?? '').trim().slice(0, MAX_PASSKEY_NAME);
  if (!name) return refuse(engine, visitor, 'Give the passkey a name, such as the device it is on.');
  if (user.passwordHash) {
    const { throttle } = engine.flow;
    const ip = request.ip ?? 'unknown';
    const wait = await throttle.waitFor(user.username, ip);
    if (wait > 0) return refuse(engine, visitor, `Too many wrong passwords. Try again in ${wait} second${wait === 1 ? '' : 's'}.`);
    if (!(await verifyPassword(request.params.get('current_password') ?? '', user.passwordHash))) {
      await throttle.recordFailure(user.username, ip);
      return refuse(engine, visitor, 'To add a passkey, enter your current password.');
    }
    await throttle.recordSuccess(user.username);
  } else if (engine.clock.now() - visitor.session.authTime > RECENT_SIGN_IN) {
    return refuse(
      engine,
      visitor,
      'To add a passkey, sign out and sign in again with one of your passkeys: adding one needs a sign-in from the last 15 minutes.',
    );
  }
  const options = await engine.flow.passkeys.registrationOptions(user, visitor.session.sid);
  return renderAccount(engine, visitor, { passkeyEnrolment: { name, options, script: `${engine.issuer}${PASSKEY_SCRIPT_PATH}` } });
};

const addPasskey: Action = async (engine, visitor, request) => {
  const { mfa, passkeys } = engine.flow;
  const actor = { type: 'user', id: visitor.user.id } as const;
  const origin = requestOrigin(request);
  const name = (request.params.get('name') ?? '').trim().slice(0, MAX_PASSKEY_NAME);
  const result = await passkeys.register(visitor.user, request.params.get('credential'), name, visitor.session.sid, origin, actor);
  if (!result.ok) return refuse(engine, visitor, result.message);
  // As with an authenticator app: a first factor comes with recovery codes, for signing in after the password without it.
  const first = (await mfa.list(visitor.user.id)).length === 1;
  const codes =
    first && (await mfa.recoveryCodes(visitor.user.id)).remaining === 0 ? await mfa.regenerateRecoveryCodes(visitor.user.id, actor, origin) : undefined;
  return renderAccount(engine, visitor, {
    notice: {
      section: 'security',
      kind: 'success',
      text: `The passkey “${result.passkey.name}” was added: sign in with it alone, or use it after your password.`,
    },
    ...(codes ? { newRecoveryCodes: codes } : {}),
  });
};

const removePasskey: Action = async (engine, visitor, request) => {
  const { mfa } = engine.flow;
  const id = request.params.get('id') ?? '';
  const factors = await mfa.list(visitor.user.id);
  const passkeys = factors.filter((f) => f.type === 'passkey');
  if (!passkeys.some((p) => p.id === id)) return refuse(engine, visitor, 'That passkey has already been removed.');
  if (!visitor.user.passwordHash && passkeys.length === 1)
    return refuse(engine, visitor, 'This is your last passkey and your account has no password: add another passkey before removing this one.');
  await mfa.remove(visitor.user.id, id, { type: 'user', id: visitor.user.id }, requestOrigin(request));
  return redirect(`${engine.issuer}/account?done=passkey-removed#security`);
};

/** Passkey-only: the password goes (checked once more, throttled); a passkey signs in from then on. */
const removePassword: Action = async (engine, visitor, request) => {
  const { user } = visitor;
  const { mfa, throttle, audit } = engine.flow;
  if (!user.passwordHash) return refuse(engine, visitor, 'Your account has no password.');
  if (!(await mfa.list(user.id)).some((f) => f.type === 'passkey'))
    return refuse(engine, visitor, 'Add a passkey first: without a password, a passkey is how you sign in.');
  const ip = request.ip ?? 'unknown';
  const wait = await throttle.waitFor(user.username, ip);
  if (wait > 0) return refuse(engine, visitor, `Too many wrong passwords. Try again in ${wait} second${wait === 1 ? '' : 's'}.`);
  if (!(await verifyPassword(request.params.get('current_password') ?? '', user.passwordHash))) {
    await throttle.recordFailure(user.username, ip);
    return refuse(engine, visitor, 'Your current password is not right.');
  }
  await throttle.recordSuccess(user.username);
  const { passwordHash: _removed, ...rest } = user;
  await engine.store.upsertUser(rest);
  audit.record({
    type: 'management.changed',
    outcome: 'success',
    actor: { type: 'user', id: user.id },
    subject: user.id,
    ...requestOrigin(request),
    details: { kind: 'user', id: user.id, action: 'password_removed', source: 'account' },
  });
  return redirect(`${engine.issuer}/account?done=password-removed#security`);
};

export const SECURITY_ACTIONS: Record<string, Action> = {
  'start-passkey': startPasskey,
  'add-passkey': addPasskey,
  'remove-passkey': removePasskey,
  'remove-password': removePassword,
  'start-totp': startTotp,
  'confirm-totp': confirmTotp,
  'remove-factor': removeFactor,
  'regenerate-recovery-codes': regenerateRecoveryCodes,
};
