/**
 * Invitations: an administrator names an email address (and optionally a username,
 * a name and roles); Tessera creates the account without a password and mails a
 * link, valid a week. Following it, the person chooses a password, which verifies
 * the address and signs them in. Inviting an address again, while the account still
 * has no password, sends a new link.
 */
import { randomUUID } from 'node:crypto';
import type { User } from '../model.js';
import type { EngineRequest } from '../request.js';
import { LINK_TTL, sendLink, type MailContext } from './mail-context.js';
import { completeWithPassword, type ResetResult } from './password-reset.js';

export interface InvitationInput {
  email: string;
  username?: string;
  name?: string;
  roles: string[];
}

export class Invitations {
  readonly #ctx: MailContext;

  constructor(ctx: MailContext) {
    this.#ctx = ctx;
  }

  /**
   * Creates (or, if still unaccepted, refreshes) the invited account and mails the link;
   * returns the account and when the link expires, or undefined when the username is
   * taken by an account that has a password.
   */
  async invite(input: InvitationInput): Promise<{ user: User; created: boolean; expiresAt: number } | undefined> {
    const username = input.username ?? input.email.toLowerCase();
    const existing = await this.#ctx.store.getUserByUsername(username);
    if (existing?.passwordHash) return undefined;
    const user: User & { email: string } = {
      id: existing?.id ?? randomUUID(),
      username,
      email: input.email,
      emailVerified: false,
      active: true,
      roles: input.roles,
      ...((input.name ?? existing?.name) ? { name: input.name ?? existing!.name! } : {}),
    };
    const stored = (await this.#ctx.store.upsertUser(user)) as User & { email: string };
    await sendLink(this.#ctx, 'invitation', 'invitation', 'invitation', stored, { days: String(LINK_TTL.invitation / 86400) });
    return { user: stored, created: !existing, expiresAt: this.#ctx.clock.now() + LINK_TTL.invitation };
  }

  check(token: string | undefined): Promise<User | undefined> {
    return this.#ctx.links.peek('invitation', token, (id) => this.#ctx.store.getUser(id));
  }

  accept(token: string | undefined, password: string, confirm: string | undefined, request: EngineRequest): Promise<ResetResult> {
    return completeWithPassword(this.#ctx, 'invitation', token, { password, confirm }, request);
  }
}
