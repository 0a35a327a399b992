/** `tessera sessions list|revoke`: where a user is signed in, and signing them out there. */
import type { SessionOut } from '../api-types.js';
import { printJson, printTable, when } from '../output.js';
import { findUser } from '../resolve.js';
import { upTo, resourceVerb } from '../resource-verb.js';
import { ManagementError, seg } from '../target.js';

const user = { user: { type: 'string' } } as const;

export const sessionsVerb = resourceVerb({
  name: 'sessions',
  summary: "list or end users' sign-in sessions",
  about: "a user's sign-in sessions (browsers where they are signed in to Tessera)",
  actions: [
    {
      name: 'list',
      summary: "list a user's live sessions, newest first",
      synopsis: '--user USER',
      details: 'The session id is also the `sid` of the ID tokens issued in it. The cookie is never shown (only its keyed hash is stored).',
      flags: user,
      async run(context) {
        upTo(context);
        if (context.values.user === undefined) throw context.usage('--user is required');
        const target = await context.target();
        const found = await findUser(target, context.values.user as string);
        const sessions = (await target.call<{ items: SessionOut[] }>('GET', `/users/${seg(found.id)}/sessions`)).body.items;
        if (context.json) return (printJson(context.io, sessions), 0);
        printTable(
          context.io,
          ['id', 'signed in', 'last seen', 'expires', 'ip', 'device'],
          sessions.map((s) => [s.id, when(s.createdAt), when(s.lastSeenAt), when(s.expiresAt), s.ip, s.userAgent]),
          `${found.username} is not signed in anywhere`,
        );
        return 0;
      },
    },
    {
      name: 'revoke',
      summary: 'end one session (SESSION_ID) or every session (--all) of a user',
      synopsis: '--user USER (SESSION_ID | --all)',
      details:
        'The browser is signed out at its next request. Tokens that apps already hold stay valid: revoke those with `tessera grants revoke` or `tessera consents revoke`.',
      flags: { ...user, all: { type: 'boolean' } },
      async run(context) {
        const [id] = upTo(context, 'SESSION_ID');
        if (context.values.user === undefined) throw context.usage('--user is required');
        const all = context.values.all === true;
        if ((id === undefined) === !all) throw context.usage('give a SESSION_ID or --all');
        const target = await context.target();
        const found = await findUser(target, context.values.user as string);
        if (all) {
          const { ended } = (await target.call<{ ended: number }>('DELETE', `/users/${seg(found.id)}/sessions`)).body;
          if (context.json) printJson(context.io, { ended });
          else context.io.out(`ended ${ended} session(s) of ${found.username}`);
          return 0;
        }
        try {
          await target.call('DELETE', `/users/${seg(found.id)}/sessions/${seg(id!)}`);
        } catch (error) {
          if (error instanceof ManagementError && error.status === 404)
            throw new ManagementError(404, { error: 'not_found', error_description: `${found.username} has no live session ${id}` });
          throw error;
        }
        if (context.json) printJson(context.io, { ended: 1 });
        else context.io.out(`ended session ${id} of ${found.username}`);
        return 0;
      },
    },
  ],
});
