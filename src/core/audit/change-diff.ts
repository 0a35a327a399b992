/**
 * The before/after of a management change, for `management.changed` events: only the
 * fields that changed, and never a secret. Client secrets appear as their creation
 * and expiry times, a password only as "set" or "changed"; their hashes never.
 */
import type { Client, User } from '../model.js';
import { canonicalJson } from './canonical-json.js';

export type FieldChange = { before?: unknown; after?: unknown };
export type ChangeDiff = Record<string, FieldChange>;

/** What of an entity may be shown in the audit log. */
export function withoutSecrets(entity: object): Record<string, unknown> {
  const shown: Record<string, unknown> = { ...entity };
  if ('secrets' in shown && Array.isArray(shown.secrets)) {
    shown.secrets = (shown.secrets as Client['secrets']).map((s) => ({
      createdAt: s.createdAt,
      ...(s.expiresAt !== undefined ? { expiresAt: s.expiresAt } : {}),
    }));
  }
  if ('passwordHash' in shown) {
    delete shown.passwordHash;
    shown.password = 'set';
  }
  return shown;
}

/** The fields that differ between `before` (absent for a creation) and `after`. */
export function changeDiff(before: object | undefined, after: object): ChangeDiff {
  const a = before ? withoutSecrets(before) : {};
  const b = withoutSecrets(after);
  const diff: ChangeDiff = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (canonicalJson(a[key]) === canonicalJson(b[key])) continue;
    const change: FieldChange = {};
    if (a[key] !== undefined) change.before = a[key];
    if (b[key] !== undefined) change.after = b[key];
    diff[key] = change;
  }
  const oldHash = (before as User | undefined)?.passwordHash;
  const newHash = (after as User).passwordHash;
  if (before && oldHash !== undefined && newHash !== undefined && oldHash !== newHash) diff.password = { before: 'set', after: 'changed' };
  return diff;
}
