import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { LocalHistogram } from './local-histogram.js';

const config = {
  name: 'http_request_duration_seconds',
  help: 'Time to answer an HTTP request, by route pattern and method',
  labelNames: ['route', 'method'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
};

describe('LocalHistogram', () => {
  it('gives the registry what prom-client’s Histogram gives for the same observations', async () => {
    const theirs = new Registry();
    const ours = new Registry();
    const reference = new Histogram({ ...config, labelNames: [...config.labelNames], registers: [theirs] });
    const local = new LocalHistogram({ ...config, registers: [ours] });
    const series = [
      ['/token', 'POST'],
      ['/introspect', 'POST'],
      ['unmatched', 'GET'],
      ['/x"\\\n', 'GET'],
    ] as const;
    let x = 7;
    for (let i = 0; i < 5000; i++) {
      x = (x * 48271) % 2147483647;
      const [route, method] = series[x % series.length]!;
      // Values on bucket bounds, between them, beyond the last and zero.
      const value = [0, 0.001, 0.0011, 0.5, 5, 7.25, (x % 10000) / 1000][x % 7]!;
      reference.labels(route, method).observe(value);
      local.observe(`${route} ${method}`, () => [route, method], value);
    }
    assert.equal(await ours.metrics(), await theirs.metrics());
    assert.deepEqual(await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON());
    local.reset();
    reference.reset();
    assert.equal(await ours.metrics(), await theirs.metrics());
  });
});
