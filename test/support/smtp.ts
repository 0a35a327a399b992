/**
 * A real SMTP server on loopback (the smtp-server package) that keeps what it
 * receives, for tests of the mail flows: they wait for a message, read its link,
 * and follow it. It can be stopped and started again on the same port to play an
 * SMTP outage, or told to refuse messages.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { MailFeatures, MailOptions } from '../../src/core/mail/mail-context.js';
import { smtpTransport } from '../../src/mail/smtp-transport.js';

export interface ReceivedMail {
  to: string[];
  subject: string;
  /** The decoded body: text and HTML parts together. */
  body: string;
}

/** Undoes quoted-printable (what nodemailer uses for long lines): soft breaks and =XX escapes. */
function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export class TestSmtp {
  readonly received: ReceivedMail[] = [];
  /** When set, every message is refused with this reply. */
  refuse: string | undefined;
  port = 0;
  #server: SMTPServer | undefined;
  #waiters: (() => void)[] = [];

  static async start(): Promise<TestSmtp> {
    const smtp = new TestSmtp();
    await smtp.listen();
    return smtp;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (this.refuse) return callback(Object.assign(new Error(this.refuse), { responseCode: 451 }));
          const raw = chunks.join('');
          const subject = /^Subject: (.*)$/im.exec(raw)?.[1]?.trim() ?? '';
          this.received.push({ to: session.envelope.rcptTo.map((r) => r.address), subject, body: decodeQuotedPrintable(raw) });
          for (const wake of this.#waiters.splice(0)) wake();
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The messages to `address`, waiting (up to `ms`) until there are at least `count`. */
  async mailTo(address: string, count = 1, ms = 5000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.received.filter((m) => m.to.includes(address));
      if (found.length >= count) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${count} message(s) to ${address} within ${ms} ms (got ${found.length})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }
}

/** The first link in a message that starts with `prefix`. */
export function linkIn(mail: ReceivedMail, prefix: string): string {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`${escaped}[\\w/-]+`).exec(mail.body);
  if (!match) throw new Error(`no link starting with ${prefix} in:\n${mail.body.slice(0, 1500)}`);
  return match[0];
}

/** Engine mail settings that send to `smtp`, every flow on (sign-up as given). */
export function mailTo(smtp: TestSmtp, features: Partial<MailFeatures> = {}, outbox?: MailOptions['outbox']): MailOptions {
  return {
    transport: smtpTransport({ url: smtp.url }),
    from: 'Tessera <no-reply@tessera.test>',
    features: { passwordReset: true, verification: true, invitations: true, signUp: { enabled: false, domains: [] }, ...features },
    ...(outbox ? { outbox } : {}),
  };
}
