/** Who the audit log says made a change from the command line: the operator's OS account. */
import { userInfo } from 'node:os';
import type { AuditActor } from '../core/audit/audit-event.js';

export function cliActor(): AuditActor {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // no passwd entry (some containers)
  }
  return { type: 'admin', id: `cli:${name}` };
}
