import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuQuota, resolveWorkers, usableCores } from './worker-count.js';

describe('worker count', () => {
  it('takes the setting, reading auto as one per core', () => {
    assert.equal(resolveWorkers({ setting: 4, env: {}, cores: 8 }), 4);
    assert.equal(resolveWorkers({ setting: 'auto', env: {}, cores: 6 }), 6);
    assert.equal(resolveWorkers({ setting: 1, env: { NODE_ENV: 'production' }, cores: 8 }), 1);
  });

  it('defaults to one process, and to one per core in production on a multi-core machine', () => {
    assert.equal(resolveWorkers({ env: {}, cores: 8 }), 1);
    assert.equal(resolveWorkers({ env: { NODE_ENV: 'production' }, cores: 8 }), 8);
    assert.equal(resolveWorkers({ env: { NODE_ENV: 'production' }, cores: 1 }), 1);
  });

  it("counts the cores a container's CPU quota allows, not the machine's", () => {
    assert.equal(cpuQuota('max 100000\n'), undefined);
    assert.equal(cpuQuota('200000 100000\n'), 2);
    assert.equal(cpuQuota('150000 100000'), 1.5);
    assert.equal(cpuQuota(undefined), undefined);
    assert.equal(cpuQuota('garbage'), undefined);
    assert.equal(usableCores('200000 100000', 64), 2);
    assert.equal(usableCores('150000 100000', 64), 2, 'a fraction of a core rounds up');
    assert.equal(usableCores('50000 100000', 64), 1);
    assert.equal(usableCores('800000 100000', 4), 4, 'never more than the affinity allows');
    assert.equal(usableCores('max 100000', 8), 8);
    assert.equal(usableCores(undefined, 8), 8);
  });
});
