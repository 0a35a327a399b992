/**
 * Sending through an SMTP server with nodemailer. Timeouts are short, so a dead
 * server fails an attempt within seconds (the outbox retries later) instead of
 * holding a worker for minutes; they also keep each attempt well inside the
 * outbox's claim lease, so no other instance sends the same message meanwhile.
 * nodemailer is loaded with the first message, not at start (it is a sizeable module).
 */
import type { Transporter } from 'nodemailer';
import type { MailMessage, MailTransport } from '../core/ports/mail-transport.js';
import type { SmtpSettings } from '../server/email-settings.js';

export function smtpTransport(smtp: SmtpSettings): MailTransport {
  let transporter: Promise<Transporter> | undefined;
  const open = async (): Promise<Transporter> => {
    const { default: nodemailer } = await import('nodemailer');
    const timeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };
    const auth = smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {};
    return smtp.url
      ? nodemailer.createTransport({ url: smtp.url, ...timeouts } as Parameters<typeof nodemailer.createTransport>[0])
      : nodemailer.createTransport({
          host: smtp.host!,
          ...(smtp.port ? { port: smtp.port } : {}),
          ...(smtp.secure !== undefined ? { secure: smtp.secure } : {}),
          ...auth,
          ...timeouts,
        });
  };
  return {
    describe: describeSmtp(smtp),
    async send(message: MailMessage) {
      await (await (transporter ??= open())).sendMail(message);
    },
    close: () => {
      void transporter?.then((t) => t.close());
    },
  };
}

/** The server, never the credentials: for the start-up banner. */
export function describeSmtp(smtp: SmtpSettings): string {
  if (smtp.url) {
    const url = new URL(smtp.url);
    return `${url.protocol}//${url.host}`;
  }
  return `smtp${smtp.secure ? 's' : ''}://${smtp.host}${smtp.port ? `:${smtp.port}` : ''}`;
}
