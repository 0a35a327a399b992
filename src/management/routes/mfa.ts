/**
 * /users/{id}/mfa: a user's second factors and passkeys (never their secrets or keys) and
 * recovery codes, and resetting them; /mfa-policy: who must sign in with a second factor
 * (read-only: it is the configuration file's server.mfa, read at start).
 */
import { z } from 'zod';
import { actorOf } from '../principal.js';
import { route } from '../route.js';
import { epochSeconds } from '../schemas.js';
import { loadUser } from './users.js';

const byId = z.object({ id: z.string() });

export const mfaOut = z.object({
  required: z.boolean().describe('whether policy requires this user to sign in with a second factor (besides clients that require one)'),
  factors: z
    .array(
      z.object({
        id: z.string(),
        type: z.enum(['totp', 'passkey']).describe('totp: an authenticator app (RFC 6238 one-time codes); passkey: a WebAuthn credential'),
        name: z.string(),
        deviceType: z.enum(['singleDevice', 'multiDevice']).optional().describe('passkeys: bound to one device (a security key) or synced between devices'),
        backedUp: z.boolean().optional().describe('passkeys: whether the authenticator says it is backed up (synced)'),
        createdAt: epochSeconds,
        lastUsedAt: epochSeconds.optional(),
      }),
    )
    .describe('never the secrets, nor a passkey’s key material or credential ID'),
  recoveryCodes: z.object({ total: z.number().int(), remaining: z.number().int() }),
});

export const mfaPolicyOut = z.object({
  everyone: z.boolean().describe('every user must sign in with a second factor'),
  roles: z.array(z.string()).describe('holders of these roles must (server.mfa.required: admins puts the administrator role here)'),
  source: z.literal('configuration').describe('set in the configuration file (server.mfa, or TESSERA_MFA_REQUIRED) and read at start; not changeable here'),
});

export const mfaRoutes = [
  route({
    method: 'GET',
    path: '/mfa-policy',
    tag: 'Users',
    summary: 'Who must sign in with a second factor (besides clients with requireMfa and users who set one up): the server.mfa setting, read-only',
    scope: 'read:users',
    status: 200,
    response: mfaPolicyOut,
    async handler(engine) {
      const { everyone, roles } = engine.mfa.policy;
      return { body: { everyone, roles: [...roles], source: 'configuration' as const } };
    },
  }),
  route({
    method: 'GET',
    path: '/users/{id}/mfa',
    tag: 'Users',
    summary: "A user's second factors (never their secrets) and how many recovery codes remain",
    scope: 'read:users',
    status: 200,
    params: byId,
    response: mfaOut,
    async handler(engine, { params }) {
      const user = await loadUser(engine, params.id);
      const factors = (await engine.mfa.list(user.id)).map((f) => ({
        id: f.id,
        type: f.type,
        name: f.name,
        ...(f.type === 'passkey' ? { deviceType: f.deviceType, backedUp: f.backedUp } : {}),
        createdAt: f.createdAt,
        ...(f.lastUsedAt !== undefined ? { lastUsedAt: f.lastUsedAt } : {}),
      }));
      return { body: { required: engine.mfa.required(user), factors, recoveryCodes: await engine.mfa.recoveryCodes(user.id) } };
    },
  }),
  route({
    method: 'DELETE',
    path: '/users/{id}/mfa',
    tag: 'Users',
    summary: "Reset a user's second factors and recovery codes: they sign in with their password, and set a factor up again where policy requires one",
    scope: 'write:users',
    status: 200,
    params: byId,
    response: z.object({ removed: z.number().int().describe('how many factors were removed') }),
    async handler(engine, { params, principal }) {
      const user = await loadUser(engine, params.id);
      return { body: { removed: await engine.mfa.reset(user.id, actorOf(principal)) } };
    },
  }),
];
