/** `tessera grants list|revoke`: what apps hold for a user (refresh-token families), and taking one back. */
import type { GrantOut } from '../api-types.js';
import { printJson, printTable, when } from '../output.js';
import { findUser } from '../resolve.js';
import { need, upTo, resourceVerb } from '../resource-verb.js';
import { ManagementError, seg } from '../target.js';

const user = { user: { type: 'string' } } as const;

export const grantsVerb = resourceVerb({
  name: 'grants',
  summary: 'list or revoke the grants users gave apps',
  about: 'the authorizations users gave apps: one per sign-in to an app, with its rotating refresh tokens',
  actions: [
    {
      name: 'list',
      summary: "list a user's live grants, newest first",
      synopsis: '--user USER',
      flags: user,
      async run(context) {
        upTo(context);
        if (context.values.user === undefined) throw context.usage('--user is required');
        const target = await context.target();
        const found = await findUser(target, context.values.user as string);
        const grants = (await target.call<{ items: GrantOut[] }>('GET', `/users/${seg(found.id)}/grants`)).body.items;
        if (context.json) return (printJson(context.io, grants), 0);
        printTable(
          context.io,
          ['id', 'client', 'scopes', 'granted', 'refreshed', 'last used', 'expires'],
          grants.map((g) => [g.id, g.clientId, g.scopes.join(' '), when(g.createdAt), when(g.refreshedAt), when(g.lastUsedAt), when(g.expiresAt)]),
          `${found.username} has no live grants`,
        );
        return 0;
      },
    },
    {
      name: 'revoke',
      summary: 'revoke one grant: its refresh and reference access tokens stop at once',
      synopsis: '--user USER GRANT_ID',
      details:
        'JWT access tokens already issued lapse within their lifetime. The consent stays, so the app may ask again; withdraw it with `tessera consents revoke`.',
      flags: user,
      async run(context) {
        const [id] = need(context, 'GRANT_ID');
        if (context.values.user === undefined) throw context.usage('--user is required');
        const target = await context.target();
        const found = await findUser(target, context.values.user as string);
        let grant: GrantOut;
        try {
          grant = (await target.call<GrantOut>('DELETE', `/users/${seg(found.id)}/grants/${seg(id!)}`)).body;
        } catch (error) {
          if (error instanceof ManagementError && error.status === 404)
            throw new ManagementError(404, { error: 'not_found', error_description: `${found.username} has no live grant ${id}` });
          throw error;
        }
        if (context.json) printJson(context.io, grant);
        else context.io.out(`revoked grant ${grant.id} of ${found.username} for ${grant.clientId}`);
        return 0;
      },
    },
  ],
});
