/**
 * The account page's linked upstream identities: what it lists, and unlinking one.
 * An identity cannot be unlinked when it is the last way to sign in (no password and
 * no other linked identity); linking goes through the provider (endpoints/upstream.ts).
 */
import { requestOrigin } from '../audit/request-origin.js';
import type { FlowContext } from '../interaction/flow-context.js';
import type { User } from '../model.js';
import type { EngineRequest } from '../request.js';
import type { AccountView } from '../ports/views.js';

export async function identitiesView(ctx: FlowContext, user: User, csrf: string): Promise<AccountView['identities']> {
  const providers = await ctx.store.listIdentityProviders();
  if (providers.length === 0) return undefined;
  const names = new Map(providers.map((p) => [p.id, p.name]));
  const linked = await ctx.store.listUserIdentities(user.id);
  const ways = linked.length + (user.passwordHash ? 1 : 0);
  return {
    identities: linked.map((i) => ({
      providerId: i.providerId,
      providerName: names.get(i.providerId) ?? i.providerId,
      subject: i.subject,
      label: i.username ?? i.email ?? i.subject,
      linkedAt: i.createdAt,
      canUnlink: ways > 1,
    })),
    linkable: (await ctx.upstream.offered())
      .filter((p) => !linked.some((i) => i.providerId === p.id))
      .map((p) => ({ name: p.name, href: `${ctx.issuer}/account/link/${p.id}?csrf=${encodeURIComponent(csrf)}` })),
  };
}

/** Unlinks one identity of the user; the refusal to show, if any. */
export async function unlinkIdentity(ctx: FlowContext, user: User, request: EngineRequest): Promise<string | undefined> {
  const providerId = request.params.get('provider') ?? '';
  const subject = request.params.get('subject') ?? '';
  const linked = await ctx.store.listUserIdentities(user.id);
  if (!linked.some((i) => i.providerId === providerId && i.subject === subject)) return 'That identity is not linked to your account.';
  if (linked.length + (user.passwordHash ? 1 : 0) <= 1) return 'This is your only way to sign in: link another one first.';
  await ctx.store.deleteFederatedIdentity(user.id, providerId, subject);
  ctx.audit.record({
    type: 'upstream.unlinked',
    outcome: 'success',
    actor: { type: 'user', id: user.id },
    subject: user.id,
    ...requestOrigin(request),
    details: { provider: providerId, upstreamSubject: subject, via: 'account' },
  });
  return undefined;
}
