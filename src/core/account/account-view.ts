/** Gathers what the account page shows for one visitor: apps, tokens, sessions, what they may create. */
import type { AuthorizationServer } from '../authorization-server.js';
import { permissionsOf } from '../credentials/permissions.js';
import type { TokenSummary } from '../credentials/token-summary.js';
import type { StoredTokenKind } from '../model.js';
import type { AccountView } from '../ports/views.js';
import type { EngineResponse } from '../request.js';
import type { AccountVisitor } from './visitor.js';
import { identitiesView } from './account-identities.js';

/** The credentials a person manages themselves (service access tokens belong to service accounts). */
export const OWN_TOKEN_KINDS: readonly StoredTokenKind[] = ['personal_access_token', 'user_token', 'action_token'];

const KIND_LABELS: Partial<Record<StoredTokenKind, string>> = {
  personal_access_token: 'Personal access token',
  user_token: 'User token',
  action_token: 'Action token',
};

const DAY = 86400;
const LIFETIMES = [1, 7, 30, 90, 180, 365].map((d) => d * DAY);

export type AccountEngine = Pick<
  AuthorizationServer,
  'issuer' | 'flow' | 'credentials' | 'sessions' | 'userGrants' | 'catalog' | 'store' | 'clock' | 'revokeConsent' | 'mail'
>;

/**
 * The apps that can act for the user: those they consented to, and those holding a
 * live grant without a consent on file (first-party apps, which do not ask).
 */
export async function connectedApps(engine: AccountEngine, userId: string): Promise<AccountView['apps']> {
  const apps = new Map<string, { scopes: Set<string>; since: number }>();
  const consented = new Set<string>();
  for (const c of await engine.store.listConsents(userId)) {
    consented.add(c.clientId);
    apps.set(c.clientId, { scopes: new Set(c.scopes), since: c.createdAt });
  }
  for (const g of await engine.userGrants.list(userId)) {
    if (consented.has(g.clientId)) continue;
    const app = apps.get(g.clientId) ?? { scopes: new Set<string>(), since: g.createdAt };
    for (const scope of g.scopes) app.scopes.add(scope);
    app.since = Math.min(app.since, g.createdAt);
    apps.set(g.clientId, app);
  }
  return Promise.all(
    [...apps].map(async ([clientId, app]) => ({
      clientId,
      name: (await engine.catalog.client(clientId))?.name ?? clientId,
      scopes: [...app.scopes],
      grantedAt: app.since,
    })),
  ).then((list) => list.sort((a, b) => a.name.localeCompare(b.name)));
}

export type AccountExtras = Pick<AccountView, 'notice' | 'created' | 'form' | 'status'> &
  Pick<AccountView['security'], 'enrolment' | 'newRecoveryCodes' | 'passkeyEnrolment'>;

/** Lifetimes offered for a personal access token: the usual ones below the configured maximum, and the maximum. */
export function expiryOptions(maxLifetime: number): { seconds: number; label: string }[] {
  const label = (s: number) => (s % DAY === 0 ? `${s / DAY} day${s === DAY ? '' : 's'}` : `${Math.round(s / 3600) || 1} hour(s)`);
  return [...LIFETIMES.filter((s) => s < maxLifetime), maxLifetime].map((seconds) => ({ seconds, label: label(seconds) }));
}

export async function renderAccount(engine: AccountEngine, visitor: AccountVisitor, extras: AccountExtras = {}): Promise<EngineResponse> {
  const { user } = visitor;
  const { enrolment, newRecoveryCodes, passkeyEnrolment, ...pageExtras } = extras;
  const now = engine.clock.now();
  const apps = await connectedApps(engine, user.id);
  const tokens = (await engine.credentials.list(user.id, OWN_TOKEN_KINDS)).filter(
    (t) => t.revokedAt === undefined && (t.expiresAt === undefined || t.expiresAt > now),
  );
  const patApis: AccountView['patApis'] = [];
  for (const [identifier, allowed] of Object.entries(await permissionsOf(engine.store, user.roles))) {
    const api = await engine.catalog.api(identifier);
    const scopes = api?.scopes.filter((s) => allowed.includes(s.name)) ?? [];
    if (api && scopes.length > 0) patApis.push({ identifier, name: api.name, scopes });
  }
  const expiry = expiryOptions(engine.credentials.policy.maxLifetime);
  const view: AccountView = {
    base: `${engine.issuer}/account`,
    issuer: engine.issuer,
    csrf: visitor.csrf,
    username: user.username,
    ...(user.name ? { name: user.name } : {}),
    ...pageExtras,
    apps,
    tokens: await Promise.all(tokens.map((t) => describeToken(engine, t))),
    hasUserToken: tokens.some((t) => t.kind === 'user_token'),
    patApis,
    expiry,
    defaultExpiry: expiry.find((e) => e.seconds === 30 * DAY)?.seconds ?? expiry.at(-1)!.seconds,
    hasPassword: user.passwordHash !== undefined,
    ...(user.email ? { email: { address: user.email, verified: user.emailVerified === true, resend: engine.mail?.features.verification === true } } : {}),
    security: {
      factors: (await engine.flow.mfa.list(user.id)).map((f) => ({
        id: f.id,
        type: f.type,
        name: f.name,
        createdAt: f.createdAt,
        ...(f.lastUsedAt !== undefined ? { lastUsedAt: f.lastUsedAt } : {}),
      })),
      recoveryCodes: await engine.flow.mfa.recoveryCodes(user.id),
      required: engine.flow.mfa.required(user),
      ...(enrolment ? { enrolment } : {}),
      ...(newRecoveryCodes ? { newRecoveryCodes } : {}),
      ...(passkeyEnrolment ? { passkeyEnrolment } : {}),
    },
    sessions: (await engine.sessions.list(user.id)).map((s) => ({
      id: s.id,
      current: s.id === visitor.session.sid,
      createdAt: s.createdAt,
      lastSeenAt: s.lastSeenAt,
      ...(s.userAgent ? { userAgent: s.userAgent } : {}),
      ...(s.ip ? { ip: s.ip } : {}),
    })),
  };
  const identities = await identitiesView(engine.flow, user, visitor.csrf);
  if (identities) view.identities = identities;
  return engine.flow.views.account(view);
}

async function describeToken(engine: AccountEngine, t: TokenSummary): Promise<AccountView['tokens'][number]> {
  let access = 'All of your access';
  if (t.kind === 'personal_access_token') access = `${(t.api && (await engine.catalog.api(t.api))?.name) || t.api}: ${t.scopes.join(' ')}`;
  if (t.kind === 'action_token') access = (t.endpoints ?? []).join(', ');
  const out: AccountView['tokens'][number] = { id: t.id, kindLabel: KIND_LABELS[t.kind] ?? t.kind, name: t.name ?? '', access, createdAt: t.createdAt };
  if (t.expiresAt !== undefined) out.expiresAt = t.expiresAt;
  if (t.lastUsedAt !== undefined) out.lastUsedAt = t.lastUsedAt;
  return out;
}
