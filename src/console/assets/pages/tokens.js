// @ts-check
/** Tokens of a user or service account: PATs, SATs, user and action tokens; create (shown once), revoke. */
import { call, listAll, seg } from '../api.js';
import { button, chips, confirmed, dataTable, h, header, problem, replace, secretOnce, time } from '../dom.js';
import { formView, words } from '../forms.js';

const KINDS = [
  ['personal_access_token', 'Personal access token (PAT)'],
  ['user_token', 'User token (Authorization: Token)'],
  ['action_token', 'Action token (Authorization: ActionToken)'],
];

/**
 * @param {{ kind: 'user' | 'service_account', id: string, label: string }} owner
 * @param {any[]} apis
 * @param {(shown: Node) => void} created
 */
function creator(owner, apis, created) {
  const kinds = owner.kind === 'service_account' ? [['service_access_token', 'Service access token (SAT)']] : KINDS;
  const apiOptions = apis.map((a) => /** @type {[string, string]} */ ([a.identifier, `${a.name} (${a.identifier})`]));
  return formView({
    title: `New token for ${owner.label}`,
    submit: 'Create token',
    fields: [
      { name: 'kind', label: 'Kind', type: 'select', options: /** @type {[string, string][]} */ (kinds) },
      { name: 'name', label: 'Name', hint: 'What it is for, e.g. backup script (not for user tokens)' },
      { name: 'api', label: 'API', type: 'select', options: apiOptions, hint: 'PATs and SATs are for one API' },
      { name: 'scopes', label: 'Scopes', hint: 'Space-separated, within what the roles allow on that API' },
      { name: 'expiresInDays', label: 'Expires in (days)', type: 'number', value: 90, hint: 'At most 365' },
      {
        name: 'dpopJkt',
        label: 'Bind to a DPoP key (PATs and SATs, optional)',
        hint: "The key's JWK thumbprint (RFC 7638, 43 characters): the token then works only with proofs from that key",
      },
      { name: 'endpoints', label: 'Endpoints (action tokens)', type: 'lines', hint: 'One per line: GET /calendars/*/events' },
    ],
    async onSubmit(v) {
      const ownerField = owner.kind === 'user' ? { userId: owner.id } : { serviceAccountId: owner.id };
      const expiresIn = typeof v.expiresInDays === 'number' ? Math.round(v.expiresInDays * 86400) : undefined;
      /** @type {Record<string, unknown>} */
      let body;
      if (v.kind === 'user_token') body = { kind: v.kind, ...ownerField };
      else if (v.kind === 'action_token') body = { kind: v.kind, ...ownerField, name: v.name ?? '', endpoints: v.endpoints };
      else
        body = {
          kind: v.kind,
          ...ownerField,
          name: v.name ?? '',
          api: v.api,
          scopes: words(v.scopes),
          ...(expiresIn ? { expiresIn } : {}),
          ...(v.dpopJkt ? { dpopJkt: String(v.dpopJkt).trim() } : {}),
        };
      const result = (await call('POST', '/tokens', { body })).body;
      created(
        h(
          'section',
          { class: 'notice', 'aria-label': 'New token' },
          h('h2', {}, `Created ${result.summary.kind.replace(/_/g, ' ')}`),
          secretOnce('The token', result.token),
        ),
      );
    },
  });
}

/** @type {Node | undefined} */
let notice;

/** @param {import('../main.js').Context} context */
export async function render({ main, params, go, rerender }) {
  const [users, accounts, apis] = await Promise.all([listAll('/users'), listAll('/service-accounts'), listAll('/apis')]);
  const userId = params.get('userId') ?? '';
  const accountId = params.get('serviceAccountId') ?? '';
  const revoked = params.get('revoked') ?? 'false';
  const picker = h(
    'form',
    {
      class: 'filters',
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        const data = new FormData(/** @type {HTMLFormElement} */ (e.target));
        const [type, id] = String(data.get('owner') ?? '').split(':');
        if (!id) return;
        go(`tokens?${new URLSearchParams({ [type === 'sa' ? 'serviceAccountId' : 'userId']: id, revoked: String(data.get('revoked') ?? 'false') })}`);
      },
    },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'token-owner' }, 'Owner'),
      h(
        'select',
        { id: 'token-owner', name: 'owner' },
        h('option', { value: '' }, 'Choose a user or service account'),
        h(
          'optgroup',
          { label: 'Users' },
          users.map((u) => h('option', { value: `user:${u.id}`, selected: u.id === userId }, u.username)),
        ),
        h(
          'optgroup',
          { label: 'Service accounts' },
          accounts.map((a) => h('option', { value: `sa:${a.id}`, selected: a.id === accountId }, a.name)),
        ),
      ),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'token-revoked' }, 'Show'),
      h(
        'select',
        { id: 'token-revoked', name: 'revoked' },
        [
          ['false', 'Live tokens'],
          ['true', 'Revoked tokens'],
          ['', 'All'],
        ].map(([v, l]) => h('option', { value: v, selected: v === revoked }, l)),
      ),
    ),
    h('button', { type: 'submit', class: 'secondary' }, 'Show tokens'),
  );
  const intro = header(
    'Tokens',
    'Personal and service access tokens, user tokens and action tokens. Secrets are never shown again after creation. Test access tokens are minted under Developer tools.',
  );
  const user = users.find((u) => u.id === userId);
  const account = accounts.find((a) => a.id === accountId);
  if (!user && !account) {
    replace(main, intro, picker, h('p', { class: 'empty' }, 'Choose whose tokens to see.'));
    return;
  }
  const owner = user
    ? { kind: /** @type {const} */ ('user'), id: user.id, label: user.username }
    : { kind: /** @type {const} */ ('service_account'), id: account.id, label: account.name };
  const tokens = await listAll('/tokens', { ...(user ? { userId: user.id } : { serviceAccountId: account.id }), ...(revoked ? { revoked } : {}) });
  const slot = h('div', { class: 'editor' }, notice ?? null);
  notice = undefined;
  replace(
    main,
    intro,
    picker,
    slot,
    h('h2', {}, `Tokens of ${owner.label}`),
    dataTable({
      caption: `Tokens of ${owner.label}`,
      rows: tokens,
      empty: `${owner.label} has no ${revoked === 'true' ? 'revoked ' : revoked === 'false' ? 'live ' : ''}tokens.`,
      columns: [
        { label: 'Kind', value: (t) => t.kind.replace(/_/g, ' ') },
        { label: 'Name', value: (t) => t.name ?? '' },
        { label: 'API and scopes', value: (t) => [t.api ? h('code', {}, t.api) : '', chips(t.endpoints ?? t.scopes)] },
        { label: 'Created', value: (t) => time(t.createdAt) },
        { label: 'Expires', value: (t) => time(t.expiresAt) },
        { label: 'Last used', value: (t) => time(t.lastUsedAt) },
        {
          label: 'Actions',
          value: (t) =>
            t.revokedAt
              ? h('span', { class: 'badge off' }, 'revoked')
              : button(
                  'Revoke',
                  async () => {
                    if (!confirmed(`Revoke this ${t.kind.replace(/_/g, ' ')}${t.name ? ` (${t.name})` : ''}?`)) return;
                    try {
                      await call('DELETE', `/tokens/${seg(t.id)}`);
                      rerender();
                    } catch (error) {
                      replace(slot, problem(error));
                    }
                  },
                  { kind: 'danger' },
                ),
        },
      ],
    }),
    h(
      'details',
      { class: 'create' },
      h('summary', {}, 'Create a token'),
      creator(owner, apis, (shown) => {
        notice = shown;
        rerender();
      }),
    ),
  );
}
