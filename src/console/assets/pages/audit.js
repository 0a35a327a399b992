// @ts-check
/** The audit log: filters and cursor paging (newest first). */
import { call } from '../api.js';
import { dataTable, h, header, replace } from '../dom.js';

const TYPES = [
  'token.issued',
  'token.refreshed',
  'token.exchanged',
  'token.revoked',
  'token.introspection_failed',
  'client.authentication_failed',
  'client.metadata_document_fetched',
  'signin.succeeded',
  'signin.failed',
  'consent.granted',
  'consent.revoked',
  'key.rotated',
  'management.changed',
  'api.called',
  'upstream.user_created',
  'upstream.linked',
  'upstream.unlinked',
  'device.requested',
  'device.code_entered',
  'device.authorized',
  'mfa.enrolled',
  'mfa.removed',
  'mfa.failed',
  'mfa.recovery_codes_generated',
  'mfa.recovery_code_used',
  'client.registered',
  'client.registration_updated',
  'client.registration_deleted',
  'logout.backchannel_delivered',
  'logout.backchannel_failed',
];
const FILTERS = ['type', 'outcome', 'subject', 'clientId', 'actorId', 'from', 'to'];

/** datetime-local (UTC) to ISO 8601 and back. @param {string} v */
const toIso = (v) => (v ? `${v}:00Z` : '');
/** @param {string | null} v */
const toLocal = (v) => (v ? v.slice(0, 16) : '');

/**
 * @param {string} id
 * @param {string} label
 * @param {Node} control
 */
const field = (id, label, control) => h('div', { class: 'field' }, h('label', { for: id }, label), control);

/** @param {import('../main.js').Context} context */
export async function render({ main, params, go }) {
  const query = Object.fromEntries(FILTERS.filter((f) => params.get(f)).map((f) => [f, /** @type {string} */ (params.get(f))]));
  const cursor = params.get('cursor') ?? undefined;
  const page = (await call('GET', '/audit-events', { query: { ...query, limit: 50, cursor } })).body;
  const filters = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      'aria-label': 'Filter the audit log',
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        const data = new FormData(/** @type {HTMLFormElement} */ (e.target));
        const next = new URLSearchParams();
        for (const f of FILTERS) {
          const raw = String(data.get(f) ?? '').trim();
          const value = f === 'from' || f === 'to' ? toIso(raw) : raw;
          if (value) next.set(f, value);
        }
        go(`audit?${next}`);
      },
    },
    field(
      'audit-type',
      'Type',
      h(
        'select',
        { id: 'audit-type', name: 'type' },
        h('option', { value: '' }, 'Any'),
        TYPES.map((t) => h('option', { value: t, selected: t === query.type }, t)),
      ),
    ),
    field(
      'audit-outcome',
      'Outcome',
      h(
        'select',
        { id: 'audit-outcome', name: 'outcome' },
        [
          ['', 'Any'],
          ['success', 'Success'],
          ['failure', 'Failure'],
        ].map(([v, l]) => h('option', { value: v, selected: v === (query.outcome ?? '') }, l)),
      ),
    ),
    field('audit-subject', 'Subject', h('input', { id: 'audit-subject', name: 'subject', value: query.subject ?? '' })),
    field('audit-client', 'Client', h('input', { id: 'audit-client', name: 'clientId', value: query.clientId ?? '' })),
    field('audit-actor', 'Actor id', h('input', { id: 'audit-actor', name: 'actorId', value: query.actorId ?? '' })),
    field('audit-from', 'From (UTC)', h('input', { id: 'audit-from', name: 'from', type: 'datetime-local', value: toLocal(query.from ?? null) })),
    field('audit-to', 'Until (UTC)', h('input', { id: 'audit-to', name: 'to', type: 'datetime-local', value: toLocal(query.to ?? null) })),
    h('div', { class: 'actions' }, h('a', { href: '#audit', class: 'button secondary' }, 'Clear'), h('button', { type: 'submit', class: 'primary' }, 'Filter')),
  );
  const older = page.nextCursor
    ? h('a', { class: 'button secondary', href: `#audit?${new URLSearchParams({ ...query, cursor: page.nextCursor })}` }, 'Older events')
    : null;
  const newest = cursor ? h('a', { class: 'button secondary', href: `#audit?${new URLSearchParams(query)}` }, 'Back to the newest') : null;
  replace(
    main,
    header('Audit log', 'Every token issued, sign-in, refusal and change, newest first. The log is hash-chained; tessera audit verify checks it.'),
    filters,
    dataTable({
      caption: 'Audit events',
      rows: page.items,
      empty: Object.keys(query).length ? 'No event matches these filters.' : 'The audit log is empty.',
      columns: [
        {
          label: 'When (UTC)',
          value: (e) => h('time', { datetime: new Date(e.at).toISOString() }, new Date(e.at).toISOString().slice(0, 19).replace('T', ' ')),
        },
        { label: 'Type', value: (e) => h('code', {}, e.type) },
        { label: 'Outcome', value: (e) => h('span', { class: e.outcome === 'success' ? 'badge ok' : 'badge bad' }, e.outcome) },
        { label: 'Actor', value: (e) => (e.actor ? `${e.actor.type} ${e.actor.id}` : '—') },
        { label: 'Subject', value: (e) => e.subject ?? '—' },
        { label: 'Client', value: (e) => e.clientId ?? '—' },
        {
          label: 'Details',
          value: (e) => {
            const { sequence: _s, type: _t, outcome: _o, at: _a, actor: _ac, subject: _su, clientId: _c, prevHash: _p, hash: _h, ...rest } = e;
            return Object.keys(rest).length
              ? h('details', {}, h('summary', {}, `#${e.sequence}`), h('pre', {}, JSON.stringify(rest, null, 2)))
              : `#${e.sequence}`;
          },
        },
      ],
    }),
    h('div', { class: 'pager' }, newest, older),
  );
}
