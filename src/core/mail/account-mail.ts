/**
 * The account life cycle by mail, assembled: password reset, email verification,
 * invitations and self sign-up over one outbox. The engine has one when it was given
 * mail settings; the pages and the management API reach the flows through it.
 */
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { SecretHasher } from '../crypto/secret-hasher.js';
import type { SessionStore } from '../interaction/sessions.js';
import type { SignInThrottle } from '../interaction/sign-in-throttle.js';
import type { AttemptCounter } from '../ports/attempt-counter.js';
import type { EphemeralRepository, OutboxRepository } from '../ports/storage.js';
import { EmailLinks } from './email-links.js';
import { EmailVerification } from './email-verification.js';
import { Invitations } from './invitations.js';
import type { MailContext, MailFeatures, MailOptions, MailStorage } from './mail-context.js';
import { MailOutbox } from './outbox.js';
import { PasswordReset } from './password-reset.js';
import { SignUp } from './sign-up.js';

export interface AccountMailDeps {
  issuer: string;
  /** The users, the links' records and the outbox. */
  store: MailStorage & EphemeralRepository & { readonly outbox: OutboxRepository };
  clock: Clock;
  hasher: SecretHasher;
  audit: AuditLog;
  sessions: SessionStore;
  attempts: AttemptCounter;
  throttle: SignInThrottle;
  /** Seals messages in the outbox. */
  outboxKey: Buffer;
}

export class AccountMail {
  readonly features: MailFeatures;
  readonly outbox: MailOutbox;
  readonly passwordReset: PasswordReset;
  readonly verification: EmailVerification;
  readonly invitations: Invitations;
  readonly signUp: SignUp;
  readonly #pending = new Set<Promise<unknown>>();

  constructor(deps: AccountMailDeps, options: MailOptions) {
    this.features = options.features;
    this.outbox = new MailOutbox({
      repo: deps.store.outbox,
      transport: options.transport,
      from: options.from,
      key: deps.outboxKey,
      clock: deps.clock,
      ...(options.outbox ? { policy: options.outbox } : {}),
    });
    const report = options.onError ?? (() => {});
    const ctx: MailContext = {
      ...deps,
      outbox: this.outbox,
      links: new EmailLinks(deps.store, deps.hasher, deps.clock),
      features: options.features,
      templates: options.templates ?? {},
      later: (work) => {
        const running = work()
          .catch(report)
          .finally(() => this.#pending.delete(running));
        this.#pending.add(running);
      },
    };
    this.passwordReset = new PasswordReset(ctx);
    this.verification = new EmailVerification(ctx);
    this.invitations = new Invitations(ctx);
    this.signUp = new SignUp(ctx, this.verification);
  }

  /** Waits for work begun after a response (queuing mail); tests and shutdown use it. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  async close(): Promise<void> {
    await this.settled();
    await this.outbox.stop();
    this.outbox.transport.close?.();
  }
}
