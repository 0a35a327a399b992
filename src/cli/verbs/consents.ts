/** `tessera consents list|revoke`: see and withdraw what users allowed apps to do (also `tessera users consents`). */
import { findUser } from '../resolve.js';
import { need, resourceVerb } from '../resource-verb.js';
import { printConsents, revokeConsent } from './users.js';

const user = { user: { type: 'string' } } as const;

export const consentsVerb = resourceVerb({
  name: 'consents',
  summary: "list or revoke users' consents",
  about: 'what users allowed apps to do on their behalf',
  actions: [
    {
      name: 'list',
      summary: "list a user's consents",
      synopsis: '--user USER',
      flags: user,
      async run(context) {
        need(context);
        if (context.values.user === undefined) throw context.usage('--user is required');
        const target = await context.target();
        const found = await findUser(target, context.values.user as string);
        return printConsents(context, found);
      },
    },
    {
      name: 'revoke',
      summary: 'withdraw a consent, and every refresh and reference token the client holds for the user',
      synopsis: '--user USER --client CLIENT_ID',
      details: "The client's JWT access tokens lapse within their lifetime.",
      flags: { ...user, client: { type: 'string' } },
      async run(context) {
        need(context);
        if (context.values.user === undefined) throw context.usage('--user is required');
        if (context.values.client === undefined) throw context.usage('revoke needs --client');
        const found = await findUser(await context.target(), context.values.user as string);
        return revokeConsent(context, found, context.values.client as string);
      },
    },
  ],
});
