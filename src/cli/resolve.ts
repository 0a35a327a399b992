/**
 * People type names; the API addresses users and service accounts by id. A name is
 * looked up with a read call (read:users / read:service_accounts); an id is used as is.
 */
import { listAll, ManagementError, seg, type Target } from './target.js';
import type { UserOut, ServiceAccountOut } from './api-types.js';

export type { UserOut, ServiceAccountOut };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const notFound = (what: string) => new ManagementError(404, { error: 'not_found', error_description: `${what} not found` });

/** A user by username or id. */
export async function findUser(target: Target, ref: string): Promise<UserOut> {
  if (!UUID.test(ref)) {
    const match = (await listAll<UserOut>(target, '/users', { q: ref })).find((u) => u.username === ref);
    if (match) return match;
  }
  try {
    return (await target.call<UserOut>('GET', `/users/${seg(ref)}`)).body;
  } catch (error) {
    if (error instanceof ManagementError && error.status === 404) throw notFound(`user ${ref}`);
    throw error;
  }
}

/** A user's id: given as is when it looks like one, else looked up by username. */
export async function userId(target: Target, ref: string): Promise<string> {
  return UUID.test(ref) ? ref : (await findUser(target, ref)).id;
}

/** A service account by name or id. */
export async function findServiceAccount(target: Target, ref: string): Promise<ServiceAccountOut> {
  if (UUID.test(ref)) {
    try {
      return (await target.call<ServiceAccountOut>('GET', `/service-accounts/${seg(ref)}`)).body;
    } catch (error) {
      if (!(error instanceof ManagementError && error.status === 404)) throw error;
    }
  }
  const match = (await listAll<ServiceAccountOut>(target, '/service-accounts')).find((a) => a.name === ref || a.id === ref);
  if (!match) throw notFound(`service account ${ref}`);
  return match;
}

export async function serviceAccountId(target: Target, ref: string): Promise<string> {
  return UUID.test(ref) ? ref : (await findServiceAccount(target, ref)).id;
}
