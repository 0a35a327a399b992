import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../core/errors.js';
import { cpuQuota, resolveWorkers, usableCores } from './worker-count.js';

describe('worker count', () => {
  it('takes the flag, then the environment, then the config file', () => {
    assert.equal(resolveWorkers({ flag: '3', env: { TESSERA_WORKERS: '2' }, config: 4, cores: 8 }), 3);
    assert.equal(resolveWorkers({ env: { TESSERA_WORKERS: '2' }, config: 4, cores: 8 }), 2);
    assert.equal(resolveWorkers({ env: {}, config: 4, cores: 8 }), 4);
  });

  it('reads auto as one per core', () => {
    assert.equal(resolveWorkers({ flag: 'auto', env: {}, cores: 6 }), 6);
    assert.equal(resolveWorkers({ env: {}, config: 'auto', cores: 2 }), 2);
  });

  it('defaults to one process, and to one per core in production on a multi-core machine', () => {
    assert.equal(resolveWorkers({ env: {}, cores: 8 }), 1);
    assert.equal(resolveWorkers({ env: { NODE_ENV: 'production' }, cores: 8 }), 8);
    assert.equal(resolveWorkers({ env: { NODE_ENV: 'production' }, cores: 1 }), 1);
  });

  it('refuses anything else, naming the source', () => {
    assert.throws(() => resolveWorkers({ flag: '0', env: {}, cores: 2 }), (e: unknown) => e instanceof ConfigError && /--workers must be "auto" or a whole number/.test(e.message));
    assert.throws(() => resolveWorkers({ env: { TESSERA_WORKERS: 'many' }, cores: 2 }), /TESSERA_WORKERS must be/);
    assert.throws(() => resolveWorkers({ flag: '1.5', env: {}, cores: 2 }), /--workers/);
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
