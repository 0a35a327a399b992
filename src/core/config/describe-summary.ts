import type { ApplySummary } from './apply.js';

/** One line for what `apply` did, as the CLI prints it. */
export function describeSummary(source: string, s: ApplySummary): string {
  return `applied ${source}: ${s.apis} APIs, ${s.clients} clients, ${s.users} users, ${s.roles} roles, ${s.serviceAccounts} service accounts`;
}
