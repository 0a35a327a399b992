/**
 * The mail outbox: messages waiting to be sent, written in the same store as
 * everything else so that a message survives a restart and a slow or broken SMTP
 * server never holds up a request. Each message belongs to one event (`eventKey`):
 * enqueuing the same event twice keeps one message, so it is never sent twice.
 * The content is stored encrypted (it carries single-use links); the recipient and
 * kind are kept in clear for the console's list of failures.
 */

export type OutboxStatus = 'pending' | 'sent' | 'failed';

export interface OutboxMessage {
  id: string;
  /** What the message is for, unique: e.g. `password-reset:<link hash>`. */
  eventKey: string;
  /** The template: password-reset, verify-email, invitation, sign-up-exists. */
  kind: string;
  recipient: string;
  /** Subject, text and HTML, encrypted under the master key (core/mail/outbox.ts). */
  payload: string;
  status: OutboxStatus;
  attempts: number;
  /** When it may next be tried (a claim moves it forward by the lease). */
  nextAttemptAt: number;
  lastError?: string;
  createdAt: number;
  sentAt?: number;
}

export interface OutboxRepository {
  /** Inserts the message unless one with its eventKey exists; true if inserted. */
  enqueueMail(message: OutboxMessage): Promise<boolean>;
  /**
   * Takes up to `limit` pending messages due at `now`, atomically moving their
   * next attempt to `leaseUntil`, so no other worker takes them meanwhile; an
   * instance that dies mid-send leaves them to be taken again after the lease.
   */
  claimMail(now: number, leaseUntil: number, limit: number): Promise<OutboxMessage[]>;
  markMailSent(id: string, at: number): Promise<void>;
  /** Records a failed attempt: back to pending at `nextAttemptAt`, or failed for good. */
  markMailFailed(id: string, result: { attempts: number; status: 'pending' | 'failed'; nextAttemptAt: number; lastError: string }): Promise<void>;
  /** Makes a failed message pending again, due at `now`; false if there is no failed message with that id. */
  retryMail(id: string, now: number): Promise<boolean>;
  getMail(id: string): Promise<OutboxMessage | undefined>;
  /** Newest first, optionally of one status. */
  listMail(filter: { status?: OutboxStatus; limit: number }): Promise<OutboxMessage[]>;
  countMail(): Promise<Record<OutboxStatus, number>>;
  /** Deletes sent messages sent before `before`; returns how many. */
  deleteSentMail(before: number): Promise<number>;
}
