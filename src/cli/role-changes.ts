/**
 * `--add-role` and `--remove-role` on update, for the two resources that hold roles
 * (users and service accounts): they change the list read from the server instead of
 * replacing it (`--role` does that). Declared once, so both say and do the same.
 */
import type { CrudDescription } from './crud-actions.js';
import { type ActionContext, listFlag } from './resource-verb.js';

export const ROLE_CHANGE_HELP = '  --add-role ROLE, --remove-role ROLE   change the list instead of replacing it';

/** Adds and removes the roles given, after any `--role` (which replaced the list) was applied. */
export function applyRoleChanges(context: ActionContext, body: Record<string, unknown>): void {
  const add = listFlag(context.values['add-role']);
  const remove = listFlag(context.values['remove-role']);
  if (!add && !remove) return;
  const kept = ((body.roles as string[] | undefined) ?? []).filter((r) => !remove?.includes(r));
  body.roles = [...new Set([...kept, ...(add ?? [])])];
}

/** The update flags of a resource with roles, for `crudActions({ updateFlags })`. */
export const roleChangeFlags: NonNullable<CrudDescription<unknown>['updateFlags']> = {
  flags: { 'add-role': { type: 'string', multiple: true }, 'remove-role': { type: 'string', multiple: true } },
  apply: applyRoleChanges,
};
