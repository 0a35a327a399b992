// @ts-check
/**
 * Bar charts as inline SVG, drawn here (no chart library): one group of bars per time
 * bucket, one bar per series. Each chart has a text alternative (role="img" with a
 * label giving the totals) and a tooltip per bar; colours come from the style sheet.
 */
import { h, svg } from './dom.js';

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { top: 14, right: 8, bottom: 32, left: 40 };

/**
 * @typedef {{ start: number } & Record<string, number>} Bucket
 * @typedef {{ key: string, label: string, className: string }} Series
 */

/**
 * @param {number} ms
 * @param {'hour' | 'day'} bucket
 */
function label(ms, bucket) {
  const iso = new Date(ms).toISOString();
  return bucket === 'hour' ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}

/**
 * @param {{ title: string, buckets: Bucket[], series: Series[], bucket: 'hour' | 'day' }} spec
 */
export function barChart({ title, buckets, series, bucket }) {
  const max = Math.max(1, ...buckets.flatMap((b) => series.map((s) => b[s.key] ?? 0)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const group = plotW / Math.max(1, buckets.length);
  const barW = Math.max(1, (group * 0.8) / series.length);
  const y = (/** @type {number} */ v) => PAD.top + plotH - (v / max) * plotH;
  const totals = series.map((s) => `${buckets.reduce((n, b) => n + (b[s.key] ?? 0), 0)} ${s.label.toLowerCase()}`).join(', ');
  const ticks = buckets.length <= 1 ? [0] : [0, Math.floor((buckets.length - 1) / 2), buckets.length - 1];

  const chart = svg(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart', role: 'img', 'aria-label': `${title}: ${totals}` },
    svg('line', { x1: PAD.left, y1: y(0), x2: WIDTH - PAD.right, y2: y(0), class: 'axis' }),
    svg('line', { x1: PAD.left, y1: y(max), x2: WIDTH - PAD.right, y2: y(max), class: 'grid' }),
    svg('text', { x: PAD.left - 6, y: y(0), class: 'tick', 'text-anchor': 'end', 'dominant-baseline': 'middle' }, '0'),
    svg('text', { x: PAD.left - 6, y: y(max), class: 'tick', 'text-anchor': 'end', 'dominant-baseline': 'middle' }, String(max)),
    ticks.map((i) =>
      svg(
        'text',
        { x: PAD.left + group * i + group / 2, y: HEIGHT - 10, class: 'tick', 'text-anchor': i === 0 ? 'start' : i === buckets.length - 1 ? 'end' : 'middle' },
        label(buckets[i]?.start ?? 0, bucket),
      ),
    ),
    buckets.flatMap((b, i) =>
      series.map((s, j) => {
        const value = b[s.key] ?? 0;
        const x = PAD.left + group * i + group * 0.1 + barW * j;
        return svg(
          'rect',
          { x, y: y(value), width: barW, height: Math.max(0, y(0) - y(value)), class: `bar ${s.className}` },
          svg('title', {}, `${label(b.start, bucket)}: ${value} ${s.label.toLowerCase()}`),
        );
      }),
    ),
  );
  return h(
    'figure',
    { class: 'chart-box' },
    h(
      'figcaption',
      {},
      h('strong', {}, title),
      ' ',
      series.map((s) => h('span', { class: `legend ${s.className}` }, s.label)),
    ),
    chart,
  );
}
