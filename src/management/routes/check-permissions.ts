/** Permissions name APIs that exist and scopes those APIs define. */
import type { AuthorizationServer } from '../../core/authorization-server.js';
import { badField } from '../problem.js';

export async function checkPermissions(engine: AuthorizationServer, permissions: Record<string, string[]>, field: string): Promise<void> {
  for (const [identifier, scopes] of Object.entries(permissions)) {
    const api = await engine.store.getApi(identifier);
    if (!api) throw badField(`${field}.${identifier}`, 'unknown API');
    const unknown = scopes.filter((s) => !api.scopes.some((d) => d.name === s));
    if (unknown.length > 0) throw badField(`${field}.${identifier}`, `the API has no scope ${unknown.join(' ')}`);
  }
}
