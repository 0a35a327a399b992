/**
 * How a message leaves: SMTP in a deployment (src/mail/smtp-transport.ts), the log
 * in development. The outbox calls it off the request path and retries on failure.
 */

export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  /** Resolves once the server accepted the message; rejects with the reason otherwise. */
  send(message: MailMessage): Promise<void>;
  /** For the start-up banner: "smtp://mail.example.com:587" or "the log (development)". */
  readonly describe: string;
  close?(): void;
}
