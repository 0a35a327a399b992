/**
 * Last-use times of long-lived credentials, written in batches: a write per request
 * would put the store on every API call's path. Uses are kept in memory (one entry
 * per token, so memory is bounded by the number of live tokens) and flushed every
 * `intervalMs` and on shutdown.
 *
 * Uses reported by token id (resource servers' usage reports, endpoints/api-calls.ts)
 * wait in a second map, bounded by `maxIds` (beyond it they are dropped and counted),
 * and are resolved to hashes at flush time, off the request path: one `findTokenById`
 * per id not seen before (a bounded cache remembers the answer, ids of JWTs and other
 * unstored tokens included). Only manual credentials (PAT, SAT, user and action
 * tokens) are touched, and only when the reported subject, if any, is the token's.
 * A repository without `findTokenById` (a no-op recorder) ignores uses by id.
 */
import { MANUAL_TOKEN_KINDS } from '../model.js';
import type { TokenRepository } from '../ports/storage.js';

type Resolved = { hash: string; subject: string } | null;
type Tokens = Pick<TokenRepository, 'touchTokens'> & Partial<Pick<TokenRepository, 'findTokenById'>>;

export class UsageRecorder {
  readonly #tokens: Tokens;
  readonly #maxIds: number;
  #pending = new Map<string, number>();
  #pendingIds = new Map<string, { at: number; subject: string | undefined }>();
  readonly #resolved = new Map<string, Resolved>();
  #timer: NodeJS.Timeout | undefined;
  #droppedIds = 0;

  constructor(tokens: Tokens, intervalMs = 30_000, maxIds = 10_000) {
    this.#tokens = tokens;
    this.#maxIds = maxIds;
    if (intervalMs > 0) {
      this.#timer = setInterval(() => void this.flush().catch(() => {}), intervalMs);
      this.#timer.unref();
    }
  }

  record(hash: string, at: number): void {
    this.#pending.set(hash, Math.max(at, this.#pending.get(hash) ?? 0));
  }

  /** A use reported by token id (jti); O(1), resolved at the next flush. */
  recordById(id: string, at: number, subject?: string): void {
    const pending = this.#pendingIds.get(id);
    if (pending) {
      pending.at = Math.max(pending.at, at);
      return;
    }
    if (this.#pendingIds.size >= this.#maxIds) {
      this.#droppedIds++;
      return;
    }
    this.#pendingIds.set(id, { at, subject });
  }

  /** Uses by id lost because `maxIds` were already waiting. */
  get droppedIds(): number {
    return this.#droppedIds;
  }

  async flush(): Promise<number> {
    if (this.#pendingIds.size > 0) {
      const ids = this.#pendingIds;
      this.#pendingIds = new Map();
      for (const [id, use] of ids) {
        const token = await this.#resolve(id);
        if (token && (use.subject === undefined || use.subject === token.subject)) this.record(token.hash, use.at);
      }
    }
    if (this.#pending.size === 0) return 0;
    const batch = [...this.#pending].map(([hash, at]) => ({ hash, at }));
    this.#pending = new Map();
    await this.#tokens.touchTokens(batch);
    return batch.length;
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.flush();
  }

  async #resolve(id: string): Promise<Resolved> {
    const known = this.#resolved.get(id);
    if (known !== undefined) return known;
    const stored = await this.#tokens.findTokenById?.(id);
    const resolved = stored && MANUAL_TOKEN_KINDS.includes(stored.kind) ? { hash: stored.hash, subject: stored.subject } : null;
    this.#resolved.set(id, resolved);
    if (this.#resolved.size > this.#maxIds) this.#resolved.delete(this.#resolved.keys().next().value as string);
    return resolved;
  }
}
