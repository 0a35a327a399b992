/**
 * Development without an SMTP server: each message is written to the log instead
 * of being sent, links included, so the flows still work on a laptop. Never in
 * production (server/email-settings.ts refuses), since the links are secrets.
 */
import type { MailMessage, MailTransport } from '../core/ports/mail-transport.js';

export function logTransport(write: (fields: Record<string, unknown>, message: string) => void): MailTransport {
  return {
    describe: 'the log (development: no SMTP server configured, nothing is sent)',
    async send(message: MailMessage) {
      write(
        { mail: { from: message.from, to: message.to, subject: message.subject, text: message.text } },
        `mail to ${message.to} (not sent: development, no SMTP)`,
      );
    },
  };
}
