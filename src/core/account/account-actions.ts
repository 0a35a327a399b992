/**
 * What the account page's forms do, one function per form. Each gets the visitor
 * (already signed in, CSRF checked) and answers with a redirect back to the page and
 * a notice code, or with the page itself (an error, or a secret to show once).
 * Every change is audited with the user as the actor.
 */
import type { AuditActor } from '../audit/audit-event.js';
import { requestOrigin } from '../audit/request-origin.js';
import { hashPassword, passwordProblem, verifyPassword } from '../crypto/password.js';
import { ValidationError } from '../errors.js';
import type { EngineRequest, EngineResponse } from '../request.js';
import type { AccountSection } from '../ports/views.js';
import { connectedApps, OWN_TOKEN_KINDS, renderAccount, type AccountEngine } from './account-view.js';
import { redirect, type AccountVisitor } from './visitor.js';
import { unlinkIdentity } from './account-identities.js';
import { SECURITY_ACTIONS } from './account-security.js';

type Action = (engine: AccountEngine, visitor: AccountVisitor, request: EngineRequest) => Promise<EngineResponse>;

/** Notices after a successful change, by the code in /account?done=CODE. */
export const DONE: Record<string, { section: AccountSection; text: string }> = {
  'app-revoked': { section: 'apps', text: "The app's access was revoked. Its tokens no longer work." },
  'token-revoked': { section: 'tokens', text: 'The token was revoked. It no longer works.' },
  'password-changed': { section: 'password', text: 'Your password was changed.' },
  'password-changed-others-ended': { section: 'password', text: 'Your password was changed, and your other sessions were signed out.' },
  'session-ended': { section: 'sessions', text: 'That session was signed out.' },
  'sessions-ended': { section: 'sessions', text: 'Your other sessions were signed out.' },
  'verification-sent': { section: 'password', text: 'We have sent a confirmation link to your email address. It works for 24 hours.' },
  'identity-linked': { section: 'identities', text: 'The identity was linked: you can sign in with it now.' },
  'identity-unlinked': { section: 'identities', text: 'The identity was unlinked: it no longer signs you in.' },
  'factor-removed': { section: 'security', text: 'The authenticator app was removed (and your recovery codes with it, if it was your last second factor).' },
  'passkey-removed': { section: 'security', text: 'The passkey was removed: it no longer signs you in.' },
  'password-removed': { section: 'security', text: 'Your password was removed: you sign in with a passkey now.' },
};

const done = (engine: AccountEngine, code: keyof typeof DONE, section: AccountSection) => redirect(`${engine.issuer}/account?done=${code}#${section}`);
const actorOf = (visitor: AccountVisitor): AuditActor => ({ type: 'user', id: visitor.user.id });
const refuse = (engine: AccountEngine, visitor: AccountVisitor, section: AccountSection, text: string, extras: Parameters<typeof renderAccount>[2] = {}) =>
  renderAccount(engine, visitor, { ...extras, notice: { section, kind: 'error', text }, status: 400 });

/** A domain refusal's message without the field prefix ("scopes: ..."), for a person. */
const readable = (error: ValidationError) => error.message.replace(/^[^:]+: /, '').replace(/^./, (c) => c.toUpperCase());

const revokeApp: Action = async (engine, visitor, request) => {
  const clientId = request.params.get('client_id');
  const connected = clientId !== undefined && (await connectedApps(engine, visitor.user.id)).some((a) => a.clientId === clientId);
  if (!connected) return refuse(engine, visitor, 'apps', 'That app has no access to revoke.');
  await engine.revokeConsent(visitor.user.id, clientId!, actorOf(visitor));
  return done(engine, 'app-revoked', 'apps');
};

const createPat: Action = async (engine, visitor, request) => {
  const name = (request.params.get('name') ?? '').trim();
  const picked = request.params.getAll('scope').map((v) => v.split(' ') as [string, string?]);
  const expiresIn = Number(request.params.get('expires_in'));
  // Optional (RFC 9449): the thumbprint of the key the token will be bound to.
  const dpopJkt = (request.params.get('dpop_jkt') ?? '').trim() || undefined;
  const form = {
    name,
    scopes: request.params.getAll('scope'),
    ...(Number.isInteger(expiresIn) && expiresIn > 0 ? { expiresIn } : {}),
    ...(dpopJkt ? { dpopJkt } : {}),
  };
  const apis = [...new Set(picked.map(([api]) => api))];
  if (!name) return refuse(engine, visitor, 'tokens', 'Give the token a name.', { form });
  if (apis.length === 0 || picked.some(([, scope]) => !scope)) return refuse(engine, visitor, 'tokens', 'Choose at least one scope.', { form });
  if (apis.length > 1) return refuse(engine, visitor, 'tokens', 'A token is for one API: choose scopes of one API only.', { form });
  if (!form.expiresIn) return refuse(engine, visitor, 'tokens', 'Choose when the token expires.', { form });
  return created(engine, visitor, 'tokens', dpopJkt ? 'DPoP' : 'Bearer', form, () =>
    engine.credentials.createPersonalAccessToken(
      visitor.user.id,
      { name, api: apis[0]!, scopes: picked.map(([, s]) => s!), expiresIn: form.expiresIn!, ...(dpopJkt ? { dpopJkt } : {}) },
      actorOf(visitor),
    ),
  );
};

const createActionToken: Action = async (engine, visitor, request) => {
  const name = (request.params.get('name') ?? '').trim();
  const text = request.params.get('endpoints') ?? '';
  const endpoints = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const form = { name, endpoints: text };
  if (!name) return refuse(engine, visitor, 'tokens', 'Give the token a name.', { form });
  if (endpoints.length === 0) return refuse(engine, visitor, 'tokens', 'List at least one endpoint, e.g. GET /calendars/*/events.', { form });
  return created(engine, visitor, 'tokens', 'ActionToken', form, () =>
    engine.credentials.createActionToken(visitor.user.id, { name, endpoints }, actorOf(visitor)),
  );
};

const createUserToken: Action = (engine, visitor) =>
  created(engine, visitor, 'tokens', 'Token', {}, () => engine.credentials.regenerateUserToken(visitor.user.id, actorOf(visitor)));

/** Runs a creation; shows the secret once on the page, or the refusal. */
async function created(
  engine: AccountEngine,
  visitor: AccountVisitor,
  section: AccountSection,
  scheme: string,
  form: NonNullable<Parameters<typeof renderAccount>[2]>['form'],
  create: () => ReturnType<AccountEngine['credentials']['regenerateUserToken']>,
): Promise<EngineResponse> {
  try {
    const { token, summary } = await create();
    return renderAccount(engine, visitor, { created: { name: summary.name ?? 'Your token', secret: token, usage: `Authorization: ${scheme} <token>` } });
  } catch (error) {
    if (error instanceof ValidationError) return refuse(engine, visitor, section, readable(error), form ? { form } : {});
    throw error;
  }
}

const revokeToken: Action = async (engine, visitor, request) => {
  const id = request.params.get('id');
  const token = id !== undefined ? await engine.credentials.get(id) : undefined;
  // Someone else's token reads exactly like no token at all.
  if (!token || token.subject !== visitor.user.id || !OWN_TOKEN_KINDS.includes(token.kind) || token.revokedAt !== undefined) {
    return refuse(engine, visitor, 'tokens', 'There is no such active token of yours.');
  }
  await engine.credentials.revoke(token.id, actorOf(visitor));
  return done(engine, 'token-revoked', 'tokens');
};

const changePassword: Action = async (engine, visitor, request) => {
  const { user } = visitor;
  const { throttle, audit } = engine.flow;
  const current = request.params.get('current_password') ?? '';
  const next = request.params.get('new_password') ?? '';
  const ip = request.ip ?? 'unknown';
  if (!user.passwordHash) return refuse(engine, visitor, 'password', 'Your account has no password to change.');
  const wait = await throttle.waitFor(user.username, ip);
  if (wait > 0) return refuse(engine, visitor, 'password', `Too many wrong passwords. Try again in ${wait} second${wait === 1 ? '' : 's'}.`);
  if (!current || !(await verifyPassword(current, user.passwordHash))) {
    await throttle.recordFailure(user.username, ip);
    return refuse(engine, visitor, 'password', 'Your current password is not right.');
  }
  const problem = passwordProblem(next);
  if (problem) return refuse(engine, visitor, 'password', `The new password is not accepted: ${problem}.`);
  if (next !== request.params.get('confirm_password')) return refuse(engine, visitor, 'password', 'The new passwords do not match.');
  if (next === current) return refuse(engine, visitor, 'password', 'The new password is the same as the current one.');
  await throttle.recordSuccess(user.username);
  await engine.store.upsertUser({ ...user, passwordHash: await hashPassword(next) });
  const endOthers = request.params.get('end_other_sessions') === 'yes';
  const ended = endOthers ? await engine.sessions.endAll(user.id, visitor.session.sid) : 0;
  audit.record({
    type: 'management.changed',
    outcome: 'success',
    actor: actorOf(visitor),
    subject: user.id,
    ...requestOrigin(request),
    details: { kind: 'user', id: user.id, action: 'password_set', source: 'account', endedSessions: ended },
  });
  return done(engine, endOthers ? 'password-changed-others-ended' : 'password-changed', 'password');
};

const endSession: Action = async (engine, visitor, request) => {
  const id = request.params.get('id');
  if (id === visitor.session.sid) return refuse(engine, visitor, 'sessions', 'That is this browser: use Sign out at the top of the page.');
  if (id === undefined || !(await engine.sessions.end(visitor.user.id, id))) return refuse(engine, visitor, 'sessions', 'That session has already ended.');
  recordSessionsEnded(engine, visitor, request, { id });
  return done(engine, 'session-ended', 'sessions');
};

const endOtherSessions: Action = async (engine, visitor, request) => {
  const ended = await engine.sessions.endAll(visitor.user.id, visitor.session.sid);
  recordSessionsEnded(engine, visitor, request, { id: `user:${visitor.user.id}`, ended, kept: visitor.session.sid });
  return done(engine, 'sessions-ended', 'sessions');
};

function recordSessionsEnded(engine: AccountEngine, visitor: AccountVisitor, request: EngineRequest, details: Record<string, unknown>): void {
  engine.flow.audit.record({
    type: 'management.changed',
    outcome: 'success',
    actor: actorOf(visitor),
    subject: visitor.user.id,
    ...requestOrigin(request),
    details: { kind: 'session', action: 'deleted', source: 'account', ...details },
  });
}

const resendVerification: Action = async (engine, visitor) => {
  const { user } = visitor;
  if (!engine.mail?.features.verification || !user.email || user.emailVerified)
    return refuse(engine, visitor, 'password', 'There is no email address to confirm.');
  const wait = await engine.mail.verification.send(user);
  if (wait > 0) return refuse(engine, visitor, 'password', `A link was sent recently. Try again in ${Math.ceil(wait / 60)} minute(s).`);
  return done(engine, 'verification-sent', 'password');
};

const unlink: Action = async (engine, visitor, request) => {
  const refusal = await unlinkIdentity(engine.flow, visitor.user, request);
  return refusal ? refuse(engine, visitor, 'identities', refusal) : done(engine, 'identity-unlinked', 'identities');
};

export const ACCOUNT_ACTIONS: Record<string, Action> = {
  'unlink-identity': unlink,
  'revoke-app': revokeApp,
  'create-pat': createPat,
  'create-action-token': createActionToken,
  'create-user-token': createUserToken,
  'revoke-token': revokeToken,
  'change-password': changePassword,
  'end-session': endSession,
  'end-other-sessions': endOtherSessions,
  'resend-verification': resendVerification,
  ...SECURITY_ACTIONS,
};
