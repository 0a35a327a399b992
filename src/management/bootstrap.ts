/**
 * Makes the management API usable from the first start: registers its audience and
 * scopes as an API, the `tessera-admin` role holding every scope, the admin console's
 * client (console-client.ts), and, when no admin exists yet, a first admin user. Its
 * credentials come from TESSERA_ADMIN_USERNAME / TESSERA_ADMIN_PASSWORD, or are
 * generated and returned to be printed once.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AuthorizationServer } from '../core/authorization-server.js';
import { hashPassword } from '../core/crypto/password.js';
import type { User } from '../core/model.js';
import { consoleClient } from './console-client.js';
import { ADMIN_ROLE, MANAGEMENT_SCOPES, managementApi, managementAudience } from './management-api.js';

export interface BootstrapResult {
  /** Set when a first admin was created with a generated password: print it once. */
  generatedAdmin?: { username: string; password: string };
  createdAdmin?: string;
}

export async function bootstrapManagement(engine: AuthorizationServer, env: NodeJS.ProcessEnv = process.env): Promise<BootstrapResult> {
  await engine.catalogWriter.saveApi(managementApi(engine.issuer));
  await engine.store.upsertRole({
    name: ADMIN_ROLE,
    description: 'Every management scope',
    permissions: { [managementAudience(engine.issuer)]: [...MANAGEMENT_SCOPES] },
  });
  await engine.catalogWriter.saveClient(consoleClient(engine.issuer));
  const users = await engine.store.listUsers();
  if (users.some((u) => u.roles.includes(ADMIN_ROLE))) return {};
  const username = env.TESSERA_ADMIN_USERNAME ?? 'admin';
  const given = env.TESSERA_ADMIN_PASSWORD;
  const password = given ?? randomBytes(18).toString('base64url');
  await createAdmin(engine, username, password);
  return given ? { createdAdmin: username } : { generatedAdmin: { username, password } };
}

/** Creates (or promotes) a user to admin with the given password. */
export async function createAdmin(engine: AuthorizationServer, username: string, password: string): Promise<User> {
  const existing = await engine.store.getUserByUsername(username);
  const user: User = existing
    ? { ...existing, roles: [...new Set([...existing.roles, ADMIN_ROLE])], passwordHash: await hashPassword(password), active: true }
    : { id: randomUUID(), username, active: true, roles: [ADMIN_ROLE], passwordHash: await hashPassword(password) };
  return engine.store.upsertUser(user);
}
