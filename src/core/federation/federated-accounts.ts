/**
 * Which Tessera user an upstream sign-in is. The key is (provider, upstream subject),
 * never an email alone: a known identity is its user; an unknown one links to an
 * existing account only when the provider is trusted for email and asserts this
 * email verified, and exactly one account has it, verified too; otherwise a user is created just
 * in time. At every sign-in the provider's role rules and attributes are applied.
 */
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import type { RequestOrigin } from '../audit/request-origin.js';
import type { Clock } from '../clock.js';
import type { FederatedIdentity, IdentityProvider, User } from '../model.js';
import type { FederatedIdentityRepository, UserRepository } from '../ports/storage.js';
import { mappedAttributes, mappedRoles, type UpstreamProfile } from './upstream-profile.js';

export interface AccountDeps {
  store: UserRepository & FederatedIdentityRepository;
  clock: Clock;
  audit: AuditLog;
}

const MAX_USERNAME = 200;

export async function resolveUpstreamUser(deps: AccountDeps, provider: IdentityProvider, profile: UpstreamProfile, origin: RequestOrigin): Promise<User> {
  const { store } = deps;
  const known = await store.findFederatedIdentity(provider.id, profile.subject);
  let user = known ? await store.getUser(known.userId) : undefined;
  let identity = known;
  if (!user) {
    user = (await linkByVerifiedEmail(deps, provider, profile, origin)) ?? (await createUser(deps, provider, profile, origin));
    identity = await store.findFederatedIdentity(provider.id, profile.subject);
  }
  const updated = await applyMappings(deps, provider, profile, user);
  if (identity) await store.updateFederatedIdentity(describe(identity, profile, deps.clock.now()));
  return updated;
}

function describe(identity: FederatedIdentity, profile: UpstreamProfile, now: number): FederatedIdentity {
  const next: FederatedIdentity = {
    providerId: identity.providerId,
    subject: identity.subject,
    userId: identity.userId,
    createdAt: identity.createdAt,
    lastSignInAt: now,
  };
  if (profile.email) next.email = profile.email;
  if (profile.username) next.username = profile.username;
  return next;
}

/** Links this identity to a user; false when the identity is already someone's. */
export async function linkIdentity(
  deps: AccountDeps,
  provider: IdentityProvider,
  profile: Pick<UpstreamProfile, 'subject' | 'email' | 'username'>,
  userId: string,
): Promise<boolean> {
  const identity: FederatedIdentity = { providerId: provider.id, subject: profile.subject, userId, createdAt: deps.clock.now() };
  if (profile.email) identity.email = profile.email;
  if (profile.username) identity.username = profile.username;
  return deps.store.insertFederatedIdentity(identity);
}

async function linkByVerifiedEmail(deps: AccountDeps, provider: IdentityProvider, profile: UpstreamProfile, origin: RequestOrigin): Promise<User | undefined> {
  if (!provider.trustEmail || !profile.email || !profile.emailVerified) return undefined;
  // Only an account whose own email is verified: an address typed in unchecked proves nothing.
  const candidates = (await deps.store.listUsersByEmail(profile.email)).filter((u) => u.emailVerified === true);
  if (candidates.length !== 1) return undefined;
  const user = candidates[0]!;
  if (!(await linkIdentity(deps, provider, profile, user.id))) return undefined;
  deps.audit.record({
    type: 'upstream.linked',
    outcome: 'success',
    actor: { type: 'user', id: user.id },
    subject: user.id,
    ...origin,
    details: { provider: provider.id, upstreamSubject: profile.subject, via: 'verified_email' },
  });
  return user;
}

async function createUser(deps: AccountDeps, provider: IdentityProvider, profile: UpstreamProfile, origin: RequestOrigin): Promise<User> {
  const user: User = { id: randomUUID(), username: await freeUsername(deps.store, provider, profile), active: true, roles: [] };
  if (profile.name) user.name = profile.name;
  if (profile.email) {
    user.email = profile.email;
    user.emailVerified = profile.emailVerified;
  }
  const stored = await deps.store.upsertUser(user);
  if (!(await linkIdentity(deps, provider, profile, stored.id))) {
    // Another request signed the same upstream user in first: theirs is the account.
    await deps.store.deleteUser(stored.id);
    const winner = await deps.store.findFederatedIdentity(provider.id, profile.subject);
    const existing = winner ? await deps.store.getUser(winner.userId) : undefined;
    if (existing) return existing;
    throw new Error(`could not link ${provider.id} identity`);
  }
  deps.audit.record({
    type: 'upstream.user_created',
    outcome: 'success',
    actor: { type: 'user', id: stored.id },
    subject: stored.id,
    ...origin,
    details: { provider: provider.id, upstreamSubject: profile.subject, username: stored.username },
  });
  return stored;
}

/** The upstream's username (or the email's local part) if free; else qualified by the provider, then numbered. */
async function freeUsername(store: UserRepository, provider: IdentityProvider, profile: UpstreamProfile): Promise<string> {
  const base = (profile.username ?? profile.email?.split('@')[0] ?? `${provider.id}-${profile.subject}`).slice(0, MAX_USERNAME - 50);
  const candidates = [base, `${base}@${provider.id}`, ...Array.from({ length: 20 }, (_, i) => `${base}@${provider.id}-${i + 2}`)];
  for (const candidate of candidates) if (!(await store.getUserByUsername(candidate))) return candidate;
  return `${base}@${provider.id}-${randomUUID().slice(0, 8)}`;
}

async function applyMappings(deps: AccountDeps, provider: IdentityProvider, profile: UpstreamProfile, user: User): Promise<User> {
  const roles = mappedRoles(provider, profile.claims, user.roles);
  const attributes = mappedAttributes(provider, profile.claims, user.attributes);
  const next: User = { ...user, roles };
  if (attributes) next.attributes = attributes;
  if (next.name === undefined && profile.name) next.name = profile.name;
  if (JSON.stringify(next) === JSON.stringify(user)) return user;
  return deps.store.upsertUser(next);
}
