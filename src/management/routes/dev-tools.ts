/**
 * /dev: the developer tools. Mint a test access token (the checks of the real flow,
 * audited as token.issued and as a management change) and inspect any token (what it
 * is, and why it is or is not valid). The same logic as `tessera dev mint|inspect`
 * on the local store (src/devtools). Held to what the caller holds (least-privilege.ts):
 * never a management token beyond the caller's own scopes, never a real user or client
 * as subject unless the caller could act for them.
 */
import { z } from 'zod';
import { duration } from '../../core/config/duration-schema.js';
import { OAuthError } from '../../core/errors.js';
import { inspectToken } from '../../devtools/inspect-token.js';
import { mintTestToken, ScopesNotHeldError, type MintCaller } from '../../devtools/mint-test-token.js';
import type { AuthorizationServer } from '../../core/authorization-server.js';
import { notHeld, notYours, requireHeld, requireMayActFor } from '../least-privilege.js';
import { actorOf, type Principal } from '../principal.js';
import { badField } from '../problem.js';
import { route } from '../route.js';

/** The client_id of tokens minted here for a user without a client, or for an API alone. */
export const DEV_TOOLS_CLIENT_ID = 'tessera-dev-tools';

const epochSeconds = z.number().int().describe('seconds since 1970-01-01T00:00:00Z');
const json = z.record(z.string(), z.unknown());

const mintedOut = z.object({
  token: z.string().describe('shown only in this response'),
  kind: z.enum(['access_token', 'personal_access_token']),
  format: z.enum(['jwt', 'reference']),
  api: z.string(),
  scopes: z.array(z.string()),
  subject: z.string(),
  clientId: z.string().optional(),
  expiresAt: epochSeconds,
  id: z.string().optional().describe('the token id (jti), to revoke it'),
  how: z.string().describe('how it was made, in a sentence'),
});

const inspectionOut = z.object({
  token: z.string().describe('the token with its middle hidden'),
  format: z.enum(['jwt', 'opaque', 'hex', 'unknown']),
  kind: z.string().optional(),
  prefix: z.string().optional(),
  checksum: z.enum(['valid', 'invalid']).optional(),
  header: json.optional(),
  claims: json.optional(),
  record: json.optional().describe('the stored record of an opaque or hex token, never its hash'),
  introspection: json.optional().describe('what introspection (RFC 7662) answers for it'),
  valid: z.boolean().nullable(),
  reasons: z.array(z.string()).describe('why it is not valid'),
  notes: z.array(z.string()),
});

function mintCaller(engine: AuthorizationServer, principal: Principal): MintCaller {
  return {
    notHeld: (api, scopes) => notHeld(principal.holdings, api, scopes),
    requireMayActFor: async (who) =>
      'user' in who
        ? requireMayActFor(engine, principal, who.user, `a test token for ${who.user.username}`)
        : requireHeld(principal.holdings, who.client.permissions, `a test token as client ${who.client.clientId}`),
  };
}

export const devToolRoutes = [
  route({
    method: 'POST',
    path: '/dev/tokens',
    tag: 'Developer tools',
    summary: 'Mint a test access token for a client, a user or an API (shown once)',
    scope: 'write:dev_tools',
    status: 201,
    body: z
      .strictObject({
        client: z.string().min(1).optional().describe('a client id: as the client (client_credentials), or with `user`, the client acting for the user'),
        user: z.string().min(1).optional().describe("a username or user id: scopes within the user's roles"),
        api: z.string().min(1).optional().describe('the API identifier (audience); alone, a token for a test subject'),
        scopes: z.array(z.string().min(1)).min(1).optional().describe('default: everything allowed'),
        ttl: duration.optional().describe('seconds, or a duration such as "15m" or "1h"; default and at most the API\'s token lifetime'),
        format: z.enum(['jwt', 'reference']).optional().describe("default: the API's format"),
        subject: z.string().min(1).max(200).optional().describe('the subject of a token for an API alone'),
      })
      .refine((b) => b.user !== undefined || b.client !== undefined || b.api !== undefined, {
        message: 'say whom the token is for: client, user or api',
        path: ['api'],
      })
      .refine((b) => b.subject === undefined || (b.user === undefined && b.client === undefined), {
        message: 'subject is for a token for an API alone',
        path: ['subject'],
      }),
    response: mintedOut,
    async handler(engine, { body, principal }) {
      const request = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as typeof body;
      const minted = await mintTestToken(engine, request, actorOf(principal), {
        defaultClientId: DEV_TOOLS_CLIENT_ID,
        origin: 'by the developer tools',
        auditAs: 'developer tools mint',
        caller: mintCaller(engine, principal),
      }).catch((error: unknown) => {
        if (error instanceof ScopesNotHeldError) throw notYours(error.message);
        // The client_credentials checks speak OAuth (invalid_target): here it is a field of the body.
        throw error instanceof OAuthError ? badField('body.api', error.description) : error;
      });
      const { token: _secret, how: _how, ...facts } = minted;
      return { body: minted, change: { kind: 'test_token', id: minted.id ?? minted.subject, action: 'created', after: facts } };
    },
  }),
  route({
    method: 'POST',
    path: '/dev/inspect',
    tag: 'Developer tools',
    summary: 'Decode any token and explain why it is or is not valid',
    scope: 'read:dev_tools',
    status: 200,
    body: z.strictObject({ token: z.string().min(1).max(8192).describe('a JWT, a tsr_ token or a 40-hex user or action token; "Bearer ..." is accepted') }),
    response: inspectionOut,
    async handler(engine, { body }) {
      return { body: await inspectToken(body.token, { engine }) };
    },
  }),
];
