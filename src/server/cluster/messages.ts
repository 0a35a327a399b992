/**
 * The messages between the `start --workers` primary and its workers, over Node's IPC
 * channel. Everything carries `tessera` so that other IPC traffic is ignored.
 */
import type { ThrottlePolicy } from '../../core/ports/attempt-counter.js';
import type { Block } from './shared-attempts.js';

/** Questions a worker asks the primary, answered with the same `id`. */
export type Question =
  | { kind: 'recordFailure'; key: string; policy: ThrottlePolicy; now: number }
  | { kind: 'clear'; key: string }
  /** The metrics of every worker, merged (the primary asks each for its own). */
  | { kind: 'metrics' };

export type ToPrimary =
  /** A change committed to the store, for every other worker's caches (change-message.ts wire form). */
  | { tessera: 'change'; payload: string }
  | { tessera: 'ask'; id: number; question: Question }
  /** This worker's metrics, as prom-client JSON, answering a `metrics` request. */
  | { tessera: 'metrics'; id: number; metrics: unknown }
  /** The first worker has bootstrapped the store and is serving: the others may start. */
  | { tessera: 'ready'; url: string };

export type ToWorker =
  | { tessera: 'change'; payload: string }
  /** Drain and exit (the primary got SIGTERM or SIGINT); a second one means at once. */
  | { tessera: 'stop' }
  | { tessera: 'answer'; id: number; value?: unknown; error?: string }
  /** Throttled keys and until when (0: no longer), for the worker to check on its own. */
  | { tessera: 'blocked'; blocks: Block[] }
  | { tessera: 'metrics'; id: number };

export function isMessage<T extends { tessera: string }>(value: unknown): value is T {
  return typeof value === 'object' && value !== null && typeof (value as { tessera?: unknown }).tessera === 'string';
}
