// @ts-check
/** The overview: tokens issued, failures and sign-ins over time, from /audit-events/summary. */
import { call } from '../api.js';
import { barChart } from '../charts.js';
import { dataTable, h, header, replace } from '../dom.js';

/** @param {import('../main.js').Context} context */
export async function render({ main, params }) {
  const bucket = params.get('bucket') === 'day' ? 'day' : 'hour';
  const summary = (await call('GET', '/audit-events/summary', { query: { bucket } })).body;
  const choose = h(
    'div',
    { class: 'segmented', role: 'group', 'aria-label': 'Period' },
    h('a', { href: '#?bucket=hour', 'aria-current': bucket === 'hour' ? 'true' : undefined }, 'Last 24 hours'),
    h('a', { href: '#?bucket=day', 'aria-current': bucket === 'day' ? 'true' : undefined }, 'Last 30 days'),
  );
  const t = summary.totals;
  const anything = t.tokensIssued + t.failures + t.signIns + t.signInFailures > 0;
  replace(
    main,
    header('Overview', 'What happened on this Tessera, counted from the audit log.', choose),
    h(
      'ul',
      { class: 'stats' },
      h('li', {}, h('span', { class: 'stat' }, String(t.tokensIssued)), ' tokens issued'),
      h('li', {}, h('span', { class: 'stat' }, String(t.signIns)), ' sign-ins'),
      h('li', {}, h('span', { class: 'stat' }, String(t.signInFailures)), ' failed sign-ins'),
      h('li', {}, h('span', { class: 'stat' }, String(t.failures)), ' failures of any kind'),
    ),
    anything ? null : h('p', { class: 'empty' }, 'Nothing recorded in this period yet. Issue a token or sign in, and it shows here.'),
    h(
      'div',
      { class: 'charts' },
      barChart({ title: 'Tokens issued', buckets: summary.buckets, bucket, series: [{ key: 'tokensIssued', label: 'Issued', className: 's1' }] }),
      barChart({ title: 'Failures', buckets: summary.buckets, bucket, series: [{ key: 'failures', label: 'Failures', className: 's3' }] }),
      barChart({
        title: 'Sign-ins',
        buckets: summary.buckets,
        bucket,
        series: [
          { key: 'signIns', label: 'Succeeded', className: 's2' },
          { key: 'signInFailures', label: 'Failed', className: 's3' },
        ],
      }),
    ),
    summary.complete ? null : h('p', { class: 'muted' }, `Counted the newest ${summary.scanned} records of the period only.`),
    h(
      'details',
      {},
      h('summary', {}, 'The numbers as a table'),
      dataTable({
        caption: 'Counts per period',
        empty: 'No periods.',
        rows: /** @type {any[]} */ (summary.buckets).filter((b) => b.tokensIssued + b.failures + b.signIns + b.signInFailures > 0),
        columns: [
          { label: 'From', value: (b) => new Date(b.start).toISOString().slice(0, 16).replace('T', ' ') },
          { label: 'Tokens issued', value: (b) => b.tokensIssued },
          { label: 'Failures', value: (b) => b.failures },
          { label: 'Sign-ins', value: (b) => b.signIns },
          { label: 'Failed sign-ins', value: (b) => b.signInFailures },
        ],
      }),
    ),
  );
}
