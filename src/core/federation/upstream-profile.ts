/**
 * From an upstream's claims to what Tessera keeps: the user's fields (through the
 * provider's mapping), the roles its rules grant, and the attributes it maintains.
 * Pure functions: the account logic (federated-accounts.ts) decides what to store.
 */
import { attributesProblem } from '../config/attributes-limit.js';
import type { IdentityProvider } from '../model.js';
import { readPath } from '../tokens/claim-mapping.js';
import { UpstreamError } from './upstream-error.js';

export interface UpstreamProfile {
  subject: string;
  username?: string;
  name?: string;
  email?: string;
  /** True only when the upstream says so outright (true, or the string "true"). */
  emailVerified: boolean;
  claims: Record<string, unknown>;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value.slice(0, 320) : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;

export function toProfile(provider: IdentityProvider, claims: Record<string, unknown>): UpstreamProfile {
  const read = (path: string | undefined) => (path ? readPath(claims, path) : undefined);
  const subject = text(read(provider.mapping.subject));
  if (!subject || subject.length > 255)
    throw new UpstreamError('rejected', `the upstream's answer has no usable "${provider.mapping.subject}" to identify the user`);
  const profile: UpstreamProfile = { subject, emailVerified: false, claims };
  const username = text(read(provider.mapping.username));
  const name = text(read(provider.mapping.name));
  const email = text(read(provider.mapping.email));
  if (username) profile.username = username;
  if (name) profile.name = name;
  if (email && /^[^\s@]+@[^\s@]+$/.test(email)) {
    profile.email = email;
    const verified = read(provider.mapping.emailVerified);
    profile.emailVerified = verified === true || verified === 'true';
  }
  return profile;
}

function matches(value: unknown, expected: string): boolean {
  if (Array.isArray(value)) return value.some((v) => matches(v, expected));
  return (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') && String(value) === expected;
}

/**
 * The user's roles after this sign-in: roles the provider's rules mention are the
 * provider's to give or take away; every other role (given locally) is kept.
 */
export function mappedRoles(provider: IdentityProvider, claims: Record<string, unknown>, current: readonly string[]): string[] {
  if (provider.roleMappings.length === 0) return [...current];
  const managed = new Set(provider.roleMappings.flatMap((rule) => rule.roles));
  const granted = provider.roleMappings.filter((rule) => matches(readPath(claims, rule.claim), rule.value)).flatMap((rule) => rule.roles);
  return [...new Set([...current.filter((role) => !managed.has(role)), ...granted])];
}

/** The user's attributes with the provider's mapped ones refreshed; undefined when nothing is mapped or the result is too large. */
export function mappedAttributes(
  provider: IdentityProvider,
  claims: Record<string, unknown>,
  current: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  const entries = Object.entries(provider.attributes);
  if (entries.length === 0) return undefined;
  const next: Record<string, unknown> = { ...current };
  for (const [name, path] of entries) {
    const value = readPath(claims, path);
    if (value === undefined) delete next[name];
    else next[name] = value;
  }
  return attributesProblem(next) ? undefined : next;
}
