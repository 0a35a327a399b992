/**
 * A Prometheus histogram counted in plain numbers and read by prom-client's registry
 * only when scraped. prom-client's own Histogram hashes and validates its label object
 * on every observation, which a profile of the token path showed costing more than the
 * observation itself; here a series is looked up once by a string key and an
 * observation is an index search and three additions. What the registry reads (`get`)
 * is what prom-client's Histogram returns for the same observations, so /metrics and
 * the workers' merged metrics are unchanged (local-histogram.test.ts compares the two).
 */
import type { Metric, Registry } from 'prom-client';

/** One combination of label values: its bucket counts (not cumulative), sum and count. */
interface HistogramSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly counts: number[];
  sum: number;
  count: number;
}

export class LocalHistogram<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #buckets: readonly number[];
  readonly #labelNames: readonly L[];
  readonly #series = new Map<string, HistogramSeries>();

  constructor(config: { name: string; help: string; labelNames: readonly L[]; buckets: readonly number[]; registers: Registry[] }) {
    this.name = config.name;
    this.help = config.help;
    this.#labelNames = config.labelNames;
    this.#buckets = [...config.buckets].sort((a, b) => a - b);
    for (const registry of config.registers) registry.registerMetric(this as unknown as Metric);
  }

  /**
   * Observes `value` in the series named `key` (unique per combination of label values);
   * `values` (in labelNames' order) is called only when the series is new.
   */
  observe(key: string, values: () => readonly string[], value: number): void {
    let series = this.#series.get(key);
    if (series === undefined) {
      const labels: Record<string, string> = {};
      const given = values();
      this.#labelNames.forEach((name, i) => {
        labels[name] = given[i] ?? '';
      });
      series = { labels, counts: this.#buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    const buckets = this.#buckets;
    for (let i = 0; i < buckets.length; i++) {
      if (value <= buckets[i]!) {
        series.counts[i]! += 1;
        break;
      }
    }
    series.sum += value;
    series.count += 1;
  }

  /** prom-client's metric data: per series, cumulative buckets, +Inf, sum and count. */
  async get() {
    const values: { value: number; metricName: string; exemplar: null | undefined; labels: Record<string, string | number> }[] = [];
    for (const series of this.#series.values()) {
      let cumulative = 0;
      this.#buckets.forEach((bound, i) => {
        cumulative += series.counts[i]!;
        values.push({ value: cumulative, metricName: `${this.name}_bucket`, exemplar: null, labels: { le: bound, ...series.labels } });
      });
      values.push({ value: series.count, metricName: `${this.name}_bucket`, exemplar: null, labels: { le: '+Inf', ...series.labels } });
      values.push({ value: series.sum, metricName: `${this.name}_sum`, exemplar: undefined, labels: { ...series.labels } });
      values.push({ value: series.count, metricName: `${this.name}_count`, exemplar: undefined, labels: { ...series.labels } });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.#series.clear();
  }
}
