// @ts-check
/**
 * Developer tools: mint a test access token (POST /dev/tokens) for a client, a user
 * or an API alone, with a copyable curl line; inspect any token (POST /dev/inspect):
 * its header and claims, the verdict and why.
 */
import { call, listAll } from '../api.js';
import { copyButton, dataTable, h, header, replace } from '../dom.js';
import { formView, words } from '../forms.js';

/** @param {string} text */
const shellQuote = (text) => `'${text.replace(/'/g, `'\\''`)}'`;

/** @param {any} minted */
export function curlLine(minted) {
  return `curl -H ${shellQuote(`Authorization: Bearer ${minted.token}`)} ${shellQuote(minted.api)}`;
}

/** @param {any} i the inspection */
function inspectionView(i) {
  const verdict = i.valid === true ? 'Valid' : i.valid === false ? 'Not valid' : 'Cannot tell';
  return h(
    'section',
    { class: 'panel inspection', 'aria-label': 'Inspection', role: 'status' },
    h('h3', {}, h('span', { class: `badge ${i.valid ? 'ok' : 'bad'}`, 'data-verdict': String(i.valid) }, verdict), ' ', i.kind ?? i.format),
    i.reasons.length
      ? h(
          'div',
          {},
          h('h4', {}, i.valid === false ? 'Why not' : 'Because'),
          h(
            'ul',
            { class: 'reasons' },
            i.reasons.map((/** @type {string} */ r) => h('li', {}, r)),
          ),
        )
      : null,
    i.notes.length
      ? h(
          'div',
          {},
          h('h4', {}, 'Notes'),
          h(
            'ul',
            {},
            i.notes.map((/** @type {string} */ n) => h('li', {}, n)),
          ),
        )
      : null,
    dataTable({
      caption: 'Token facts',
      empty: '',
      rows: [
        ['Token', i.token],
        ['Format', i.format],
        ['Prefix', i.prefix],
        ['Checksum', i.checksum],
      ].filter(([, v]) => v !== undefined),
      columns: [
        { label: 'Fact', value: (r) => r[0] },
        { label: 'Value', value: (r) => h('code', {}, String(r[1])) },
      ],
    }),
    i.header ? h('div', {}, h('h4', {}, 'Header'), h('pre', {}, JSON.stringify(i.header, null, 2))) : null,
    i.claims ? h('div', {}, h('h4', {}, 'Claims'), h('pre', {}, JSON.stringify(i.claims, null, 2))) : null,
    i.record ? h('div', {}, h('h4', {}, 'Stored record'), h('pre', {}, JSON.stringify(i.record, null, 2))) : null,
    i.introspection ? h('div', {}, h('h4', {}, 'Introspection answer'), h('pre', {}, JSON.stringify(i.introspection, null, 2))) : null,
  );
}

/** @param {import('../main.js').Context} context */
export async function render({ main }) {
  const [apis, clients] = await Promise.all([listAll('/apis'), listAll('/clients')]);
  const mintedSlot = h('div', { class: 'result' });
  const inspectedSlot = h('div', { class: 'result' });

  /** @param {string} token */
  const inspect = async (token) => {
    const inspection = (await call('POST', '/dev/inspect', { body: { token } })).body;
    replace(inspectedSlot, inspectionView(inspection));
  };

  const inspectForm = formView({
    submit: 'Inspect',
    fields: [
      { name: 'token', label: 'Token', type: 'textarea', required: true, hint: 'A JWT, a tsr_ token or a 40-hex user or action token; "Bearer ..." works too' },
    ],
    async onSubmit(v) {
      await inspect(String(v.token ?? ''));
    },
  });

  const mintForm = formView({
    submit: 'Mint token',
    fields: [
      {
        name: 'api',
        label: 'API',
        type: 'select',
        options: [['', "(the client's own API)"], ...apis.map((a) => /** @type {[string, string]} */ ([a.identifier, `${a.name} (${a.identifier})`]))],
      },
      {
        name: 'client',
        label: 'Application',
        type: 'select',
        options: [
          ['', '(none)'],
          ...clients.map((c) => /** @type {[string, string]} */ ([c.clientId, c.name && c.name !== c.clientId ? `${c.clientId} (${c.name})` : c.clientId])),
        ],
        hint: 'Alone: a token for the application itself (client credentials). With a user: the application acting for the user.',
      },
      { name: 'user', label: 'User', hint: "A username: scopes within the user's roles" },
      { name: 'scopes', label: 'Scopes', hint: 'Space-separated; empty for everything allowed' },
      { name: 'ttl', label: 'Lifetime (seconds)', type: 'number', hint: "Empty for the API's token lifetime (also the most allowed)" },
      {
        name: 'format',
        label: 'Format',
        type: 'select',
        options: [
          ['', "The API's format"],
          ['jwt', 'JWT'],
          ['reference', 'Reference (opaque)'],
        ],
      },
      { name: 'subject', label: 'Test subject (API alone)', hint: 'For a token for an API alone, without application or user' },
    ],
    async onSubmit(v) {
      const scopes = words(v.scopes);
      const body = Object.fromEntries(
        Object.entries({
          api: v.api,
          client: v.client,
          user: v.user,
          ttl: v.ttl,
          format: v.format,
          subject: v.subject,
          scopes: scopes.length ? scopes : undefined,
        }).filter(([, x]) => x !== undefined && x !== ''),
      );
      const minted = (await call('POST', '/dev/tokens', { body })).body;
      const curl = curlLine(minted);
      replace(
        mintedSlot,
        h(
          'section',
          { class: 'panel minted', 'aria-label': 'Minted token', role: 'status' },
          h('h3', {}, 'Your test token'),
          h('p', {}, `${minted.how.charAt(0).toUpperCase()}${minted.how.slice(1)}.`),
          h('label', { for: 'minted-token' }, 'Access token'),
          h(
            'div',
            { class: 'copy-row' },
            h('textarea', { id: 'minted-token', readonly: true, rows: 3, class: 'secret', value: minted.token }),
            copyButton(() => minted.token),
          ),
          h(
            'p',
            {},
            'Scopes: ',
            h('code', {}, minted.scopes.join(' ') || 'none'),
            ' · expires ',
            new Date(minted.expiresAt * 1000).toISOString().slice(0, 19).replace('T', ' '),
            ' UTC',
          ),
          h('label', { for: 'minted-curl' }, 'Call the API with it'),
          h(
            'div',
            { class: 'copy-row' },
            h('input', { id: 'minted-curl', readonly: true, value: curl, class: 'secret' }),
            copyButton(() => curl, 'Copy curl'),
          ),
          h('button', { type: 'button', class: 'secondary', onclick: () => void inspect(minted.token) }, 'Inspect this token'),
        ),
      );
    },
  });

  replace(
    main,
    header('Developer tools', 'Mint a test token the way the real flows would, and find out why a token is or is not accepted.'),
    h(
      'div',
      { class: 'two-columns' },
      h('section', { 'aria-labelledby': 'mint-title' }, h('h2', { id: 'mint-title' }, 'Mint a test token'), mintForm, mintedSlot),
      h('section', { 'aria-labelledby': 'inspect-title' }, h('h2', { id: 'inspect-title' }, 'Inspect a token'), inspectForm, inspectedSlot),
    ),
  );
}
