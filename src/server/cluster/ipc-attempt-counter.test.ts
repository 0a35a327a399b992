import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ThrottlePolicy } from '../../core/ports/attempt-counter.js';
import { type AttemptsChannel, IpcAttemptCounter } from './ipc-attempt-counter.js';
import type { Question } from './messages.js';
import { type Block, SharedAttempts } from './shared-attempts.js';

const POLICY: ThrottlePolicy = { freeFailures: 2, baseDelay: 4, maxDelay: 60, window: 600 };

/** Workers wired to one primary in process, counting the questions that crossed. */
function machine(workers: number) {
  const handlers: ((message: { blocks: Block[] }) => void)[] = [];
  const primary = new SharedAttempts((block) =>
    handlers.forEach((h) => {
      h({ blocks: [block] });
    }),
  );
  let asked = 0;
  let down = false;
  const channel = (): AttemptsChannel => ({
    async ask<T>(question: Question): Promise<T> {
      if (down) throw new Error('the primary process is gone');
      asked++;
      if (question.kind === 'recordFailure') return (await primary.recordFailure(question.key, question.policy, question.now)) as T;
      if (question.kind === 'clear') return (await primary.clear(question.key)) as T;
      throw new Error(`unexpected ${question.kind}`);
    },
    on(_kind, handler) {
      handlers.push(handler);
    },
  });
  const counters = Array.from({ length: workers }, () => new IpcAttemptCounter(channel()));
  return { primary, counters, asked: () => asked, setDown: (value: boolean) => (down = value), handlers };
}

describe('throttles shared by the workers of a machine', () => {
  it('answers waitFor without asking the primary', async () => {
    const { counters, asked } = machine(2);
    for (let i = 0; i < 100; i++) assert.equal(await counters[i % 2]!.waitFor('client-auth:c:app', 1000), 0);
    assert.equal(asked(), 0);
  });

  it('counts failures spread over workers as one, and every worker sees the block', async () => {
    const { counters } = machine(3);
    await counters[0]!.recordFailure('k', POLICY, 1000);
    await counters[1]!.recordFailure('k', POLICY, 1000);
    assert.equal(await counters[2]!.waitFor('k', 1000), 0, 'two failures are free');
    await counters[2]!.recordFailure('k', POLICY, 1000);
    for (const counter of counters) assert.equal(await counter.waitFor('k', 1000), 4);
    assert.equal(await counters[0]!.waitFor('k', 1003), 1);
    assert.equal(await counters[1]!.waitFor('k', 1004), 0, 'the block ends');
    await counters[1]!.recordFailure('k', POLICY, 1005);
    assert.equal(await counters[0]!.waitFor('k', 1005), 8, 'each further failure doubles the wait');
  });

  it('lifts a block everywhere when the key is cleared', async () => {
    const { counters } = machine(2);
    for (let i = 0; i < 3; i++) await counters[0]!.recordFailure('user', POLICY, 2000);
    assert.equal(await counters[1]!.waitFor('user', 2000), 4);
    await counters[1]!.clear('user');
    assert.equal(await counters[0]!.waitFor('user', 2000), 0);
  });

  it('tells a worker started later what is blocked', async () => {
    const { primary, counters } = machine(1);
    for (let i = 0; i < 3; i++) await counters[0]!.recordFailure('k', POLICY, 3000);
    const late = new IpcAttemptCounter({ ask: () => Promise.reject(new Error('unused')), on: (_k, handler) => handler({ blocks: primary.current(3000) }) });
    assert.equal(await late.waitFor('k', 3001), 3);
    assert.deepEqual(primary.current(3010), [], 'expired blocks are forgotten');
  });

  it('counts alone while the primary is unreachable', async () => {
    const { counters, setDown } = machine(2);
    setDown(true);
    for (let i = 0; i < 3; i++) await counters[0]!.recordFailure('k', POLICY, 4000);
    assert.equal(await counters[0]!.waitFor('k', 4000), 4);
    assert.equal(counters[0]!.fallbacks, 3);
    assert.equal(await counters[1]!.waitFor('k', 4000), 0, 'the other worker did not see those');
  });
});
