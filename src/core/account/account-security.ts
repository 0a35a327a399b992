/**
 * The account page's security section: setting up an authenticator app (a QR code,
 * confirmed by a first code), removing it (with a code from it, or a recovery code),
 * and recovery codes (new ones replace the old and are shown once).
 */
import { requestOrigin } from '../audit/request-origin.js';
import type { EngineRequest, EngineResponse } from '../request.js';
import { renderAccount, type AccountEngine } from './account-view.js';
import { redirect, type AccountVisitor } from './visitor.js';

type Action = (engine: AccountEngine, visitor: AccountVisitor, request: EngineRequest) => Promise<EngineResponse>;

const refuse = (engine: AccountEngine, visitor: AccountVisitor, text: string, extras: Parameters<typeof renderAccount>[2] = {}) =>
  renderAccount(engine, visitor, { ...extras, notice: { section: 'security', kind: 'error', text }, status: 400 });

const startTotp: Action = async (engine, visitor) => {
  if ((await engine.flow.mfa.list(visitor.user.id)).length > 0) return refuse(engine, visitor, 'You already have an authenticator app. Remove it first to set up another.');
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
  if (!(await mfa.list(visitor.user.id)).some((f) => f.id === id)) return refuse(engine, visitor, 'That factor has already been removed.');
  // A session alone does not remove a factor: a code from it (or a recovery code) shows the holder is here.
  const checked = await mfa.check(visitor.user, request.params.get('code') ?? '', requestOrigin(request));
  if (!checked.ok) return refuse(engine, visitor, `To remove it, enter a code from the app (or a recovery code). ${checked.status === 429 ? checked.message : ''}`.trim());
  await mfa.remove(visitor.user.id, id, { type: 'user', id: visitor.user.id }, requestOrigin(request));
  return redirect(`${engine.issuer}/account?done=factor-removed#security`);
};

const regenerateRecoveryCodes: Action = async (engine, visitor, request) => {
  const { mfa } = engine.flow;
  if (!(await mfa.has(visitor.user.id))) return refuse(engine, visitor, 'Set up an authenticator app first: recovery codes stand in for it.');
  const codes = await mfa.regenerateRecoveryCodes(visitor.user.id, { type: 'user', id: visitor.user.id }, requestOrigin(request));
  return renderAccount(engine, visitor, { newRecoveryCodes: codes });
};

export const SECURITY_ACTIONS: Record<string, Action> = {
  'start-totp': startTotp,
  'confirm-totp': confirmTotp,
  'remove-factor': removeFactor,
  'regenerate-recovery-codes': regenerateRecoveryCodes,
};
