// @ts-check
/**
 * The Applications page's view of clients nobody configured by hand: what a client
 * that registered itself (RFC 7591) declared, the clients known by a client ID
 * metadata document (not stored: seen in the audit log when fetched), and the initial
 * access tokens that restrict registration (list, create shown once, revoke).
 */
import { call, seg } from '../api.js';
import { button, chips, confirmed, dataTable, h, problem, replace, secretOnce, time } from '../dom.js';
import { formView } from '../forms.js';

/** The RFC 7591 metadata worth showing, in the order an administrator reads it. */
const DECLARED = [
  'client_name',
  'client_uri',
  'redirect_uris',
  'grant_types',
  'token_endpoint_auth_method',
  'scope',
  'application_type',
  'software_id',
  'software_version',
  'contacts',
  'logo_uri',
  'tos_uri',
  'policy_uri',
  'jwks_uri',
];

/**
 * How the list names where a client came from: registered itself, a metadata document, or nothing.
 * @param {any} client
 * @returns {string[]}
 */
export function originFlags(client) {
  if (client.registration) return ['registered itself (unverified)'];
  if (/^https:\/\//.test(client.clientId)) return ['metadata document (unverified)'];
  return [];
}

/**
 * What a self-registered client declared about itself, and how it registered.
 * @param {any} client
 * @param {HTMLElement} slot
 */
export function registrationPanel(client, slot) {
  const { registeredAt, initialAccessTokenId, metadata } = client.registration;
  const value = (/** @type {unknown} */ v) =>
    Array.isArray(v) ? chips(v.map(String)) : typeof v === 'string' ? h('code', {}, v) : h('code', {}, JSON.stringify(v));
  return h(
    'section',
    { class: 'panel', 'aria-label': `Registration of ${client.clientId}` },
    h('h2', {}, `Registration of ${client.clientId}`),
    h(
      'p',
      { class: 'muted' },
      'This application registered itself (RFC 7591): unverified, so users are asked for consent every time. Its name and links are what it declared; nobody checked them. Deleting it revokes its tokens and the grants users gave it.',
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Registered'),
      h('dd', {}, time(registeredAt)),
      h('dt', {}, 'With initial access token'),
      h('dd', {}, initialAccessTokenId ? h('code', {}, initialAccessTokenId) : 'none (open registration)'),
      DECLARED.filter((name) => metadata[name] !== undefined).flatMap((name) => [h('dt', {}, h('code', {}, name)), h('dd', {}, value(metadata[name]))]),
    ),
    button('Close', () => replace(slot)),
  );
}

/**
 * Clients known by a client ID metadata document, from the audit log's fetches (they are not stored).
 * @returns {Promise<Node | null>}
 */
export async function metadataDocumentClients() {
  let items;
  try {
    items = (await call('GET', '/audit-events', { query: { type: 'client.metadata_document_fetched', limit: 200 } })).body.items;
  } catch {
    return null; // no read:audit: the section is left out
  }
  /** @type {Map<string, any>} */
  const latest = new Map();
  for (const event of items) if (event.clientId && !latest.has(event.clientId)) latest.set(event.clientId, event);
  if (latest.size === 0) return null;
  return h(
    'section',
    { class: 'panel', 'aria-label': 'Clients known by a metadata document' },
    h('h2', {}, 'Clients known by a metadata document'),
    h(
      'p',
      { class: 'muted' },
      'Their client id is the https URL of a document describing them; Tessera fetches it and keeps it for a while, and stores nothing else. Unverified, like clients that registered themselves.',
    ),
    dataTable({
      caption: 'Metadata documents fetched',
      rows: [...latest.values()],
      empty: '',
      columns: [
        { label: 'Client id (document URL)', value: (e) => h('code', {}, e.clientId) },
        { label: 'Name', value: (e) => e.details?.name ?? '—' },
        { label: 'Last fetched', value: (e) => time(Math.floor(e.at / 1000)) },
        { label: 'Result', value: (e) => (e.outcome === 'success' ? 'valid' : `refused: ${e.reason ?? 'unknown'}`) },
      ],
    }),
  );
}

const STATUS = { usable: 'usable', expired: 'expired', used: 'used (single-use)', revoked: 'revoked' };

/**
 * Initial access tokens: who may register when registration requires one (RFC 7591 §3).
 * @param {() => void} rerender
 * @returns {Promise<Node>}
 */
export async function initialAccessTokensPanel(rerender) {
  const [status, tokens] = await Promise.all([call('GET', '/registration'), call('GET', '/registration/tokens')]);
  const registration = status.body;
  const out = h('div', {});
  const form = formView({
    title: 'New initial access token',
    submit: 'Create token',
    fields: [
      { name: 'name', label: 'For whom', hint: 'To recognise it in this list, e.g. "partner X"' },
      { name: 'expiresInDays', label: 'Expires in (days)', type: 'number', hint: 'Empty: it does not expire' },
      { name: 'singleUse', label: 'Single use (it registers one client, then stops working)', type: 'checkbox', value: true },
    ],
    async onSubmit(v) {
      const days = Number(v.expiresInDays);
      const body = {
        ...(v.name ? { name: v.name } : {}),
        ...(v.expiresInDays !== '' && v.expiresInDays !== undefined && days > 0 ? { expiresIn: Math.round(days * 86400) } : {}),
        singleUse: v.singleUse === true,
      };
      const created = (await call('POST', '/registration/tokens', { body })).body;
      replace(
        out,
        secretOnce(`Initial access token ${created.initialAccessToken.id}`, created.token),
        h(
          'p',
          {},
          'Give it to whoever may register; they send it as ',
          h('code', {}, 'Authorization: Bearer'),
          ' to ',
          h('code', {}, registration.registrationEndpoint ?? '/register'),
          '.',
        ),
        button('Done', rerender),
      );
    },
  });
  const state = registration.enabled
    ? `Registration is open at ${registration.registrationEndpoint}; an initial access token is ${registration.initialAccessToken === 'required' ? 'required' : 'optional (anyone may register; a token presented is checked)'}.`
    : 'Registration is off (the configuration file has no "registration: { enabled: true }"): these tokens are kept, and used once it is on.';
  return h(
    'section',
    { class: 'panel', 'aria-label': 'Initial access tokens' },
    h('h2', {}, 'Initial access tokens'),
    h('p', { class: 'muted' }, state),
    dataTable({
      caption: 'Initial access tokens created',
      rows: tokens.body.items,
      empty: 'No initial access tokens.',
      columns: [
        { label: 'Id', value: (t) => h('code', {}, t.id) },
        { label: 'For', value: (t) => t.name ?? '—' },
        { label: 'Created', value: (t) => time(t.createdAt) },
        { label: 'Expires', value: (t) => (t.expiresAt ? time(t.expiresAt) : 'never') },
        { label: 'Status', value: (t) => /** @type {Record<string, string>} */ (STATUS)[t.status] ?? t.status },
        {
          label: 'Actions',
          value: (t) =>
            t.status === 'usable'
              ? button(
                  'Revoke',
                  async () => {
                    if (!confirmed(`Revoke initial access token ${t.id}? Clients it registered stay.`)) return;
                    try {
                      await call('DELETE', `/registration/tokens/${seg(t.id)}`);
                      rerender();
                    } catch (error) {
                      replace(out, problem(error));
                    }
                  },
                  { kind: 'danger' },
                )
              : '—',
        },
      ],
    }),
    form,
    out,
  );
}
