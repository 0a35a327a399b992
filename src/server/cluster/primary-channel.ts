/**
 * A worker's line to the primary: fire-and-forget messages, questions with answers
 * (matched by id, given up after a timeout so a stuck primary never hangs a request),
 * and handlers for what the primary sends.
 */
import { isMessage, type Question, type ToPrimary, type ToWorker } from './messages.js';

type Handler<K extends ToWorker['tessera']> = (message: Extract<ToWorker, { tessera: K }>) => void;

export class PrimaryChannel {
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
  readonly #handlers = new Map<string, (message: ToWorker) => void>();
  /** Messages that came before their kind's handler (a `stop` while still starting), in order. */
  readonly #unhandled = new Map<string, ToWorker[]>();
  #nextId = 1;

  readonly process: NodeJS.Process;

  constructor(process: NodeJS.Process = globalThis.process) {
    this.process = process;
    if (!process.send) throw new TypeError('PrimaryChannel needs an IPC channel (run as a cluster worker)');
    process.on('message', (message: unknown) => {
      if (!isMessage<ToWorker>(message)) return;
      if (message.tessera === 'answer') return this.#answer(message);
      const handler = this.#handlers.get(message.tessera);
      if (handler) handler(message);
      else this.#unhandled.set(message.tessera, [...(this.#unhandled.get(message.tessera) ?? []), message]);
    });
  }

  /** True while the primary can be reached. */
  get connected(): boolean {
    return this.process.connected === true;
  }

  send(message: ToPrimary): void {
    if (!this.connected) return;
    // A primary that is going away cannot be told anything; the callers have fallbacks.
    this.process.send!(message, undefined, {}, () => {});
  }

  on<K extends Exclude<ToWorker['tessera'], 'answer'>>(kind: K, handler: Handler<K>): void {
    this.#handlers.set(kind, handler as (message: ToWorker) => void);
    const early = this.#unhandled.get(kind) ?? [];
    this.#unhandled.delete(kind);
    for (const message of early) handler(message as Extract<ToWorker, { tessera: K }>);
  }

  ask<T>(question: Question, timeoutMs: number): Promise<T> {
    if (!this.connected) return Promise.reject(new Error('the primary process is gone'));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`the primary process did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.send({ tessera: 'ask', id, question });
    });
  }

  #answer(message: Extract<ToWorker, { tessera: 'answer' }>): void {
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.error !== undefined) pending.reject(new Error(message.error));
    else pending.resolve(message.value);
  }
}
