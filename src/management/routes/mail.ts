/**
 * Mail: invitations (an account created without a password, and a link to choose
 * one), and the outbox, so an administrator sees what could not be delivered and
 * why, and can send it again. Answers 409 when the server has no mail settings.
 */
import { z } from 'zod';
import type { AuthorizationServer } from '../../core/authorization-server.js';
import type { AccountMail } from '../../core/mail/account-mail.js';
import { presentUser } from '../present.js';
import { badField, conflict, notFound } from '../problem.js';
import { route } from '../route.js';
import { userOut } from '../schemas.js';

const epochSeconds = z.number().int().describe('seconds since 1970-01-01T00:00:00Z');

const outboxOut = z.object({
  id: z.string(),
  kind: z.string().describe('password-reset, verify-email, invitation or sign-up-exists'),
  recipient: z.string(),
  status: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number().int(),
  nextAttemptAt: epochSeconds.describe('for a pending message, when it is tried next'),
  lastError: z.string().optional().describe("the mail server's answer to the last failed attempt"),
  createdAt: epochSeconds,
  sentAt: epochSeconds.optional(),
});

function mailOf(engine: AuthorizationServer, feature?: 'invitations'): AccountMail {
  if (!engine.mail) throw conflict('mail is not configured on this server (see docs/email.md)');
  if (feature && !engine.mail.features[feature]) throw conflict(`${feature} are turned off in the server's email settings`);
  return engine.mail;
}

export const mailRoutes = [
  route({
    method: 'POST',
    path: '/invitations',
    tag: 'Users',
    summary: 'Invite a person by email: creates the account (no password yet) and mails a link to choose one',
    scope: 'write:users',
    status: 202,
    body: z.strictObject({
      email: z.string().email(),
      username: z.string().min(1).max(200).optional().describe('default: the email address'),
      name: z.string().optional(),
      roles: z.array(z.string()).default([]),
    }),
    response: z.object({ user: userOut, created: z.boolean(), expiresAt: epochSeconds.describe('when the link stops working') }),
    async handler(engine, { body }) {
      const mail = mailOf(engine, 'invitations');
      for (const [i, role] of body.roles.entries()) if (!(await engine.store.getRole(role))) throw badField(`body.roles.${i}`, `unknown role ${role}`);
      const invited = await mail.invitations.invite({
        email: body.email,
        roles: body.roles,
        ...(body.username ? { username: body.username } : {}),
        ...(body.name ? { name: body.name } : {}),
      });
      if (!invited) throw conflict(`user ${body.username ?? body.email} exists and has a password`);
      const out = presentUser(invited.user);
      return {
        body: { user: out, created: invited.created, expiresAt: invited.expiresAt },
        change: { kind: 'user', id: out.id, action: invited.created ? 'created' : 'updated', after: { ...out, invited: true } },
      };
    },
  }),
  route({
    method: 'GET',
    path: '/mail/outbox',
    tag: 'Mail',
    summary: 'Messages in the outbox, newest first (status=failed: those given up on)',
    scope: 'read:mail',
    status: 200,
    query: z.object({ status: z.enum(['pending', 'sent', 'failed']).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
    response: z.object({ items: z.array(outboxOut), counts: z.object({ pending: z.number().int(), sent: z.number().int(), failed: z.number().int() }) }),
    async handler(engine, { query }) {
      mailOf(engine);
      const items = await engine.store.outbox.listMail({ limit: query.limit, ...(query.status ? { status: query.status } : {}) });
      return { body: { items: items.map(({ payload: _p, eventKey: _e, ...rest }) => rest), counts: await engine.store.outbox.countMail() } };
    },
  }),
  route({
    method: 'POST',
    path: '/mail/outbox/{id}/retry',
    tag: 'Mail',
    summary: 'Send a failed message again',
    scope: 'write:mail',
    status: 204,
    params: z.object({ id: z.string() }),
    async handler(engine, { params }) {
      const mail = mailOf(engine);
      if (!(await engine.store.outbox.retryMail(params.id, engine.clock.now()))) throw notFound(`failed message ${params.id}`);
      void mail.outbox.deliverDue().catch(() => {});
      return {};
    },
  }),
];
