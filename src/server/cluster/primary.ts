/**
 * The primary process of `tessera start --workers N`: it serves nothing itself. It
 * starts worker 1 (which migrates, bootstraps and applies the config file, as a single
 * process would), then the others once worker 1 serves; connections are spread over
 * them by node:cluster. It relays change messages between workers, keeps the shared
 * sign-in and client-authentication counters, merges the workers' metrics, restarts a
 * worker that dies (with a growing pause if they keep dying), and on SIGTERM/SIGINT
 * tells every worker to drain, then exits when all have.
 */
import cluster, { type Worker } from 'node:cluster';
import { isMessage, type Question, type ToPrimary, type ToWorker } from './messages.js';
import { SharedAttempts } from './shared-attempts.js';

export interface PrimaryLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface PrimaryOptions {
  workers: number;
  log: PrimaryLog;
  /** Longest pause before restarting a worker that keeps dying. Default 30 s. */
  maxRestartDelayMs?: number;
}

const METRICS_WITHIN_MS = 2000;

export function runPrimary(options: PrimaryOptions): Promise<number> {
  const { log } = options;
  const maxDelay = options.maxRestartDelayMs ?? 30_000;
  const live = new Map<number, Worker>();
  const counter = new SharedAttempts((block) => {
    for (const worker of live.values()) send(worker, { tessera: 'blocked', blocks: [block] });
  });
  const recentDeaths: number[] = [];
  const metricsWaits = new Map<number, { parts: unknown[]; expected: number; done(): void }>();
  let nextMetricsId = 1;
  let ready = false;
  /** The address worker 1 bound: the others build their engine for it before they listen. */
  let url = '';
  let stopping = false;
  /** Workers that have started serving (cluster's 'listening'): they take the stop message. */
  const serving = new WeakSet<Worker>();
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (finish = resolve));

  const send = (worker: Worker, message: ToWorker) => {
    if (worker.isConnected()) worker.send(message, undefined, () => {});
  };

  const fork = (id: number, leader: boolean) => {
    const worker = cluster.fork({
      TESSERA_WORKER_ID: String(id),
      TESSERA_WORKER_LEADER: leader ? '1' : '',
      TESSERA_WORKER_URL: url,
      TESSERA_WORKERS_TOTAL: String(options.workers),
    });
    live.set(id, worker);
    worker.on('message', (message: unknown) => {
      if (isMessage<ToPrimary>(message)) void onMessage(worker, message);
    });
    worker.on('exit', (code, signal) => onExit(id, worker, code, signal));
    // A worker (re)started while keys are throttled learns them once it serves.
    worker.once('listening', () => {
      serving.add(worker);
      const blocks = counter.current(Math.floor(Date.now() / 1000));
      if (blocks.length > 0) send(worker, { tessera: 'blocked', blocks });
    });
  };

  const onMessage = async (from: Worker, message: ToPrimary) => {
    switch (message.tessera) {
      case 'ready':
        if (ready) return;
        ready = true;
        url = message.url;
        for (let id = 2; id <= options.workers; id++) fork(id, false);
        return;
      case 'change':
        for (const worker of live.values()) if (worker !== from) send(worker, message);
        return;
      case 'metrics': {
        const wait = metricsWaits.get(message.id);
        if (!wait) return;
        wait.parts.push(message.metrics);
        if (wait.parts.length >= wait.expected) wait.done();
        return;
      }
      case 'ask':
        try {
          send(from, { tessera: 'answer', id: message.id, value: await answer(message.question) });
        } catch (error) {
          send(from, { tessera: 'answer', id: message.id, error: (error as Error).message });
        }
    }
  };

  const answer = async (question: Question): Promise<unknown> => {
    switch (question.kind) {
      case 'recordFailure':
        return counter.recordFailure(question.key, question.policy, question.now);
      case 'clear':
        return counter.clear(question.key);
      case 'metrics':
        return mergedMetrics();
    }
  };

  /** Asks every worker for its metrics (prom-client JSON) and merges them: counters summed. */
  const mergedMetrics = async (): Promise<string> => {
    const id = nextMetricsId++;
    const workers = [...live.values()].filter((w) => w.isConnected());
    const parts: unknown[] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, METRICS_WITHIN_MS);
      metricsWaits.set(id, { parts, expected: workers.length, done: () => (clearTimeout(timer), resolve()) });
      for (const worker of workers) send(worker, { tessera: 'metrics', id });
    });
    metricsWaits.delete(id);
    const { AggregatorRegistry } = await import('prom-client');
    return AggregatorRegistry.aggregate(parts as Parameters<typeof AggregatorRegistry.aggregate>[0]).metrics();
  };

  const onExit = (id: number, worker: Worker, code: number | null, signal: string | null) => {
    if (live.get(id) === worker) live.delete(id);
    if (stopping) {
      if (live.size === 0) finish(0);
      return;
    }
    if (!ready) {
      // Worker 1 failed before serving (a bad config, a port in use): nothing to restart.
      stopAll();
      finish(code ?? 1);
      return;
    }
    const now = Date.now();
    recentDeaths.push(now);
    while (recentDeaths.length > 0 && recentDeaths[0]! < now - 60_000) recentDeaths.shift();
    const delay = Math.min(maxDelay, 100 * 2 ** (recentDeaths.length - 1));
    log.warn({ worker: id, code, signal, restartInMs: delay }, 'a worker stopped unexpectedly; restarting it');
    setTimeout(() => {
      if (!stopping) fork(id, false);
    }, delay).unref();
  };

  const stopAll = () => {
    stopping = true;
    for (const worker of live.values()) {
      // A worker still starting may not be listening to its channel yet, and a message
      // sent before it does is lost: it would then start serving and never stop. It gets
      // SIGTERM instead, which stops it whether or not it has got that far.
      if (serving.has(worker)) send(worker, { tessera: 'stop' });
      else worker.process.kill('SIGTERM');
    }
  };

  const onSignal = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: stopping the workers without waiting');
      for (const worker of live.values()) worker.process.kill('SIGKILL');
      finish(1);
      return;
    }
    log.info({ signal, workers: live.size }, 'shutting down: the workers drain their requests');
    stopAll();
    if (live.size === 0) finish(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  fork(1, true);
  return finished.finally(() => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  });
}
