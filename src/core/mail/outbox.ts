/**
 * Delivers the mail outbox (ports/outbox.ts): requests only enqueue; a worker in
 * every instance claims due messages, sends them through the transport, and on
 * failure tries again later, waiting twice as long each time up to a cap, until it
 * gives up and the message shows as failed in the console (where it can be retried).
 * Message content is sealed under the master key while it waits.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { decryptKey, encryptKey } from '../crypto/key-encryption.js';
import type { MailTransport } from '../ports/mail-transport.js';
import type { OutboxMessage, OutboxRepository } from '../ports/outbox.js';
import type { MailTemplate } from './templates.js';

export interface OutboxPolicy {
  /** Milliseconds between looks at the outbox (a new message is also sent at once). */
  pollMs: number;
  /** Seconds a claimed message is left to its worker before another may take it. */
  leaseSeconds: number;
  /** Attempts before a message is marked failed. */
  maxAttempts: number;
  /** Seconds before the first retry; doubled each time, up to maxDelay. */
  baseDelay: number;
  maxDelay: number;
  /** Messages claimed per pass. */
  batch: number;
}

export const DEFAULT_OUTBOX_POLICY: OutboxPolicy = { pollMs: 5000, leaseSeconds: 120, maxAttempts: 10, baseDelay: 30, maxDelay: 3600, batch: 20 };

export interface OutboxOptions {
  repo: OutboxRepository;
  transport: MailTransport;
  from: string;
  key: Buffer;
  clock: Clock;
  policy?: Partial<OutboxPolicy>;
}

export class MailOutbox {
  readonly transport: MailTransport;
  readonly policy: OutboxPolicy;
  /** Messages sent, and attempts that failed, by this process (for metrics). */
  sent = 0;
  failures = 0;
  readonly #repo: OutboxRepository;
  readonly #from: string;
  readonly #key: Buffer;
  readonly #clock: Clock;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #onError: (error: unknown) => void = () => {};

  constructor(options: OutboxOptions) {
    this.#repo = options.repo;
    this.transport = options.transport;
    this.#from = options.from;
    this.#key = options.key;
    this.#clock = options.clock;
    this.policy = { ...DEFAULT_OUTBOX_POLICY, ...options.policy };
  }

  /** Queues a message for one event; a second call for the same event queues nothing. True if queued. */
  async enqueue(eventKey: string, kind: string, to: string, content: MailTemplate): Promise<boolean> {
    const id = randomUUID();
    const now = this.#clock.now();
    const payload = encryptKey(this.#key, Buffer.from(JSON.stringify(content)), `mail:${id}`);
    const message: OutboxMessage = { id, eventKey, kind, recipient: to, payload, status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now };
    const queued = await this.#repo.enqueueMail(message);
    if (queued && this.#timer) setImmediate(() => void this.deliverDue().catch(this.#onError));
    return queued;
  }

  /** One pass over what is due; a pass asked for while one runs runs once more after it. */
  deliverDue(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#pass();
      } while (this.#again);
    })().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Delivers now and every pollMs until `stop`. */
  start(onError: (error: unknown) => void = () => {}): void {
    this.stop();
    this.#onError = onError;
    const run = () => void this.deliverDue().catch(onError);
    this.#timer = setInterval(run, this.policy.pollMs);
    this.#timer.unref();
    run();
  }

  /** Stops polling and waits for a pass under way, so nothing is cut mid-send. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => {});
  }

  async #pass(): Promise<void> {
    const now = this.#clock.now();
    const claimed = await this.#repo.claimMail(now, now + this.policy.leaseSeconds, this.policy.batch);
    for (const message of claimed) await this.#deliver(message);
    if (claimed.length === this.policy.batch) this.#again = true;
  }

  async #deliver(message: OutboxMessage): Promise<void> {
    let content: MailTemplate;
    try {
      content = JSON.parse(decryptKey(this.#key, message.payload, `mail:${message.id}`).toString('utf8')) as MailTemplate;
    } catch {
      return this.#failed(message, 'cannot decrypt the message: the master key differs from the one that queued it', true);
    }
    try {
      await this.transport.send({ from: this.#from, to: message.recipient, ...content });
    } catch (error) {
      return this.#failed(message, (error as Error).message || String(error), false);
    }
    this.sent += 1;
    await this.#repo.markMailSent(message.id, this.#clock.now());
  }

  async #failed(message: OutboxMessage, reason: string, permanent: boolean): Promise<void> {
    this.failures += 1;
    const attempts = message.attempts + 1;
    const giveUp = permanent || attempts >= this.policy.maxAttempts;
    const delay = Math.min(this.policy.maxDelay, this.policy.baseDelay * 2 ** (attempts - 1));
    await this.#repo.markMailFailed(message.id, {
      attempts,
      status: giveUp ? 'failed' : 'pending',
      nextAttemptAt: this.#clock.now() + delay,
      lastError: reason,
    });
  }
}
