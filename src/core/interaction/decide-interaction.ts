/**
 * What the user must still do for a request: sign in, consent, or nothing.
 * OpenID Connect Core §3.1.2.1: prompt=login and an exceeded max_age force a fresh
 * sign-in; an id_token_hint naming someone else does too; prompt=consent asks again.
 * Consent is asked only for what the user may delegate (credentials/delegation.ts), and
 * always for clients that registered themselves (RFC 7591), which are unverified.
 * A live session of one factor steps up (a second factor, over the same session) when
 * the request asks for the multi-factor level first in acr_values, or when policy or
 * the client's requireMfa demands it.
 */
import type { AuthorizationRequest } from '../authorize/authorization-request.js';
import { delegableByUser } from '../credentials/delegation.js';
import type { Client, User } from '../model.js';
import { wantsMfa } from '../mfa/mfa-policy.js';
import type { FlowContext } from './flow-context.js';
import type { Session } from './sessions.js';

export type Interaction =
  | { next: 'login' }
  | { next: 'second_factor'; user: User }
  | { next: 'consent'; user: User; missing: string[] }
  | { next: 'done'; user: User };

export async function decideInteraction(
  ctx: FlowContext,
  request: AuthorizationRequest,
  client: Client,
  session: Session | undefined,
  signedInDuringFlow: boolean,
): Promise<Interaction> {
  const user = session ? await ctx.store.getUser(session.userId) : undefined;
  if (!user || !user.active || !session) return { next: 'login' };
  // "Revoke everything" voids the sessions that began before it.
  if (user.notBefore !== undefined && session.authTime <= user.notBefore) return { next: 'login' };
  if (!signedInDuringFlow) {
    const forced = request.prompt.includes('login') || request.prompt.includes('select_account');
    // max_age=0 means "sign in now": the same second would not count as older otherwise.
    const tooOld = request.maxAge !== undefined && (request.maxAge === 0 || ctx.clock.now() - session.authTime > request.maxAge);
    const otherUser = request.hintSubject !== undefined && request.hintSubject !== user.id;
    if (forced || tooOld || otherUser) return { next: 'login' };
  }
  if (!session.amr.includes('mfa') && (wantsMfa(request) || ctx.mfa.required(user, client))) return { next: 'second_factor', user };
  if (client.firstParty || request.sandbox) return { next: 'done', user };
  // Anyone can publish a metadata document under any name: its user is asked every time.
  if (client.metadataDocument) return { next: 'consent', user, missing: await delegableByUser(ctx.store, user, request.api, request.scopes) };
  const consent = await ctx.store.getConsent(user.id, client.clientId);
  const scopes = await delegableByUser(ctx.store, user, request.api, request.scopes);
  const missing = scopes.filter((s) => !consent?.scopes.includes(s));
  if (!consent || missing.length > 0) return { next: 'consent', user, missing };
  // A client that registered itself is only what it claims to be: its users confirm every time.
  if (request.prompt.includes('consent') || client.registration !== undefined) return { next: 'consent', user, missing: scopes };
  return { next: 'done', user };
}
