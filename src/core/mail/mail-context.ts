/**
 * What every mail flow (password reset, verification, invitations, sign-up) shares:
 * the settings, the outbox, the links, and two helpers: sending a link to a user,
 * and rate limits on anything that sends mail (per address, per account, per IP),
 * kept in the same counters as sign-in throttling (in process or in Redis).
 */
import type { AuditLog } from '../audit/audit-log.js';
import { requestOrigin } from '../audit/request-origin.js';
import type { Clock } from '../clock.js';
import type { SessionOrigin, SessionStore } from '../interaction/sessions.js';
import type { SignInThrottle } from '../interaction/sign-in-throttle.js';
import type { User } from '../model.js';
import type { AttemptCounter, ThrottlePolicy } from '../ports/attempt-counter.js';
import type { MailTransport } from '../ports/mail-transport.js';
import type { FactorRepository, UserRepository } from '../ports/storage.js';
import type { EngineRequest } from '../request.js';
import type { EmailLinks, LinkPurpose } from './email-links.js';
import type { MailOutbox, OutboxPolicy } from './outbox.js';
import { renderMail, type MailKind, type TemplateOverrides } from './templates.js';

export interface MailFeatures {
  /** "Forgot your password?" on the sign-in page. */
  passwordReset: boolean;
  /** A link to confirm every new or changed email address. */
  verification: boolean;
  /** Administrators invite people by email. */
  invitations: boolean;
  /** People create their own accounts; `domains` (when not empty) limits whose email addresses may. */
  signUp: { enabled: boolean; domains: string[] };
}

/** The engine's `mail` option: how mail leaves, from whom, and which flows use it. */
export interface MailOptions {
  transport: MailTransport;
  from: string;
  features: MailFeatures;
  templates?: TemplateOverrides;
  outbox?: Partial<OutboxPolicy>;
  /** Where errors of work done after a response (queuing mail) are reported. */
  onError?: (error: unknown) => void;
}

/** What the mail flows read and write: users, and whether one has a second factor. */
export type MailStorage = UserRepository & Pick<FactorRepository, 'listUserFactors'>;

export interface MailContext {
  issuer: string;
  store: MailStorage;
  clock: Clock;
  audit: AuditLog;
  sessions: SessionStore;
  attempts: AttemptCounter;
  /** Sign-in throttling, cleared for an account whose password was just set. */
  throttle: SignInThrottle;
  outbox: MailOutbox;
  links: EmailLinks;
  features: MailFeatures;
  templates: TemplateOverrides;
  /** Runs work after the response is sent; errors go to the configured reporter. */
  later(work: () => Promise<unknown>): void;
}

/** Link lifetimes, in seconds. */
export const LINK_TTL: Record<LinkPurpose, number> = { 'password-reset': 30 * 60, 'verify-email': 24 * 3600, invitation: 7 * 86400 };

/** Makes a single-use link for `user` and queues the message that carries it; one message per link. */
export async function sendLink(
  ctx: MailContext,
  purpose: LinkPurpose,
  kind: MailKind,
  path: string,
  user: User & { email: string },
  values: Record<string, string> = {},
): Promise<void> {
  const { token, hash } = await ctx.links.issue(purpose, user, LINK_TTL[purpose]);
  const link = `${ctx.issuer}/${path}/${token}`;
  const content = renderMail(kind, { issuer: ctx.issuer, username: user.username, email: user.email, link, ...values }, ctx.templates);
  await ctx.outbox.enqueue(`${purpose}:${hash}`, kind, user.email, content);
}

/** Generous for people, tight for scripts: 3 sends per account (20 per IP address) an hour, then waits that double. */
export const PER_ACCOUNT: ThrottlePolicy = { freeFailures: 2, baseDelay: 300, maxDelay: 3600, window: 3600 };
export const PER_ADDRESS: ThrottlePolicy = { freeFailures: 19, baseDelay: 60, maxDelay: 3600, window: 3600 };

/**
 * Counts one use of each key and tells how long to wait if any is over its limit
 * (then nothing is counted). `keys` pairs a counter name with its policy.
 */
export async function rateLimit(ctx: Pick<MailContext, 'attempts' | 'clock'>, keys: [string, ThrottlePolicy][]): Promise<number> {
  const now = ctx.clock.now();
  const wait = Math.max(0, ...(await Promise.all(keys.map(([key]) => ctx.attempts.waitFor(key, now)))));
  if (wait > 0) return wait;
  await Promise.all(keys.map(([key, policy]) => ctx.attempts.recordFailure(key, policy, now)));
  return 0;
}

/**
 * Starts a session for a person who just proved they hold the mailbox; audited as a sign-in by `method`.
 * Not for a user with a second factor: a mailbox is not that factor, so they sign in with it (undefined).
 */
export async function signInByMail(ctx: MailContext, user: User, request: EngineRequest, method: string): Promise<string | undefined> {
  if ((await ctx.store.listUserFactors(user.id)).length > 0) return undefined;
  const { cookie } = await ctx.sessions.create(user.id, sessionOrigin(request));
  ctx.audit.record({
    type: 'signin.succeeded',
    outcome: 'success',
    actor: { type: 'user', id: user.id },
    subject: user.id,
    ...requestOrigin(request),
    details: { username: user.username, method },
  });
  return cookie;
}

export function sessionOrigin(request: EngineRequest): SessionOrigin {
  const userAgent = request.headers['user-agent'];
  return { ...(userAgent ? { userAgent } : {}), ...(request.ip ? { ip: request.ip } : {}) };
}

export const hasEmail = (user: User | undefined): user is User & { email: string } => Boolean(user?.email);
