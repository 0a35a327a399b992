/**
 * Reading the audit log: queries with cursor pagination, chain verification, JSON
 * Lines export and pruning by retention. The same on every store, since each only
 * hands back records and the checks happen here.
 */
import { ValidationError } from '../errors.js';
import type { AuditRepository } from '../ports/audit.js';
import type { AuditFilter, AuditRecord, ChainRecord } from './audit-event.js';
import { verifyChain, type ChainVerdict } from './verify-chain.js';

export interface AuditQuery extends AuditFilter {
  /** From a previous page's `nextCursor`. */
  cursor?: string;
  /** Records per page: default 100, at most 1000. */
  limit?: number;
}

export interface AuditPage {
  /** Newest first. */
  events: AuditRecord[];
  /** Pass as `cursor` for the next (older) page; absent on the last page. */
  nextCursor?: string;
}

const PAGE = 500;
const DAY_MS = 86_400_000;

export class AuditTrail {
  readonly #repo: AuditRepository;
  #pruneTimer: NodeJS.Timeout | undefined;

  constructor(repo: AuditRepository) {
    this.#repo = repo;
  }

  async query(query: AuditQuery = {}): Promise<AuditPage> {
    const limit = query.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ValidationError('limit', 'must be a whole number from 1 to 1000');
    let before: number | undefined;
    if (query.cursor !== undefined) {
      if (!/^[1-9]\d{0,15}$/.test(query.cursor)) throw new ValidationError('cursor', 'not a cursor from a previous page');
      before = Number(query.cursor);
    }
    const { cursor: _c, limit: _l, ...filter } = query;
    const rows = await this.#repo.queryAuditEvents(filter, { ...(before !== undefined ? { before } : {}), limit: limit + 1 });
    const events = rows.slice(0, limit);
    return rows.length > limit ? { events, nextCursor: String(events[events.length - 1]!.sequence) } : { events };
  }

  /** Every kept record in chain order, a page at a time. */
  async *records(): AsyncGenerator<ChainRecord> {
    let after = (await this.#repo.auditChainState()).anchor.sequence;
    for (;;) {
      const page = await this.#repo.readAuditChain(after, PAGE);
      yield* page;
      if (page.length < PAGE) return;
      after = page[page.length - 1]!.sequence;
    }
  }

  /** Checks the whole kept chain, from the anchor to the head. */
  async verify(): Promise<ChainVerdict> {
    const { anchor, head } = await this.#repo.auditChainState();
    return verifyChain(this.records(), anchor, head);
  }

  /** The log as JSON Lines, oldest first: one record (with its hashes) per line. */
  async *exportJsonLines(): AsyncGenerator<string> {
    for await (const { indexed: _columns, ...record } of this.records()) yield `${JSON.stringify(record)}\n`;
  }

  /** Deletes records older than `before` (epoch ms), keeping the chain verifiable. */
  prune(before: number): Promise<number> {
    return this.#repo.pruneAuditEvents(before);
  }

  /** Prunes records older than `retentionDays` now and then daily, until `stopPruning`. */
  startPruning(retentionDays: number, now: () => number = Date.now, onError: (error: unknown) => void = () => {}): void {
    if (!(retentionDays > 0)) throw new TypeError('audit retention must be a positive number of days');
    const run = () => void this.prune(now() - retentionDays * DAY_MS).catch(onError);
    this.stopPruning();
    run();
    this.#pruneTimer = setInterval(run, DAY_MS);
    this.#pruneTimer.unref();
  }

  stopPruning(): void {
    if (this.#pruneTimer) clearInterval(this.#pruneTimer);
    this.#pruneTimer = undefined;
  }
}
