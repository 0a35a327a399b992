// @ts-check
/**
 * Applications (OAuth clients): create, edit, secrets (shown once), delete; clients
 * that registered themselves or are known by a metadata document, and the initial
 * access tokens that restrict registration (registration-panels.js).
 */
import { call, listAll, seg } from '../api.js';
import { renderCrudPage, saveItem } from '../crud-page.js';
import { button, chips, confirmed, dataTable, h, problem, replace, secretOnce, time } from '../dom.js';
import { formView, parsePermissions, permissionLines, words } from '../forms.js';
import { initialAccessTokensPanel, metadataDocumentClients, originFlags, registrationPanel } from './registration-panels.js';

const GRANTS = [
  ['client_credentials', 'Client credentials (machine to machine)'],
  ['authorization_code', 'Authorization code (users sign in)'],
  ['refresh_token', 'Refresh tokens'],
  ['urn:ietf:params:oauth:grant-type:token-exchange', 'Token exchange (PAT/SAT for a JWT)'],
  ['urn:ietf:params:oauth:grant-type:device_code', 'Device code (TVs, command-line tools: the user signs in on another screen)'],
];

/**
 * @param {any} client
 * @param {string | undefined} etag
 * @param {any[]} apis
 * @param {(shown?: Node) => void} done
 */
function editor(client, etag, apis, done) {
  const own = client?.api ? (client.permissions?.[client.api] ?? []) : [];
  const others = Object.fromEntries(Object.entries(client?.permissions ?? {}).filter(([api]) => api !== client?.api));
  return formView({
    title: client ? `Edit ${client.clientId}${client.registration ? ' (registered itself: unverified)' : ''}` : 'New application',
    submit: client ? 'Save' : 'Create application',
    cancel: () => done(),
    fields: [
      {
        name: 'clientId',
        label: 'Client id',
        value: client?.clientId,
        required: true,
        hint: client ? 'The id cannot change.' : 'Printable ASCII without spaces, e.g. reporting',
      },
      { name: 'name', label: 'Name', value: client?.name },
      {
        name: 'type',
        label: 'Type',
        type: 'select',
        options: [
          ['confidential', 'Confidential (has a secret: servers)'],
          ['public', 'Public (no secret: browser and mobile apps, PKCE)'],
        ],
        value: client?.type ?? 'confidential',
      },
      {
        name: 'grantTypes',
        label: 'Grant types',
        type: 'multi',
        options: /** @type {[string, string][]} */ (GRANTS),
        value: client?.grantTypes ?? ['client_credentials'],
      },
      {
        name: 'redirectUris',
        label: 'Redirect URIs',
        type: 'lines',
        value: client?.redirectUris,
        hint: 'One per line, matched exactly; needed for authorization code',
      },
      { name: 'postLogoutRedirectUris', label: 'Post-logout redirect URIs', type: 'lines', value: client?.postLogoutRedirectUris },
      {
        name: 'api',
        label: 'API (default audience)',
        type: 'select',
        options: [['', '(none)'], ...apis.map((a) => /** @type {[string, string]} */ ([a.identifier, `${a.name} (${a.identifier})`]))],
        value: client?.api ?? '',
      },
      { name: 'scopes', label: 'Scopes on that API', value: own.join(' '), hint: 'Space-separated: what it is granted there' },
      {
        name: 'permissions',
        label: 'Permissions on other APIs',
        type: 'lines',
        value: permissionLines(others),
        hint: 'One per line: https://api.example.com = scope1 scope2',
      },
      {
        name: 'introspection',
        label: 'Introspection',
        type: 'select',
        options: [
          ['own', 'Its own tokens only'],
          ['any', 'Any token (a resource server)'],
        ],
        value: client?.introspection ?? 'own',
      },
      { name: 'firstParty', label: 'First party (users are not asked to consent)', type: 'checkbox', value: client?.firstParty ?? false },
      { name: 'sandbox', label: 'Sandbox (silent sign-in into a sandbox subject)', type: 'checkbox', value: client?.sandbox ?? false },
      { name: 'requirePkce', label: 'Require PKCE (always required from public clients)', type: 'checkbox', value: client?.requirePkce ?? false },
      { name: 'requireMfa', label: 'Require a second factor from users signing in', type: 'checkbox', value: client?.requireMfa ?? false },
      { name: 'allowImplicit', label: 'Allow implicit and hybrid (legacy)', type: 'checkbox', value: client?.allowImplicit ?? false },
    ],
    async onSubmit(v) {
      const body = {
        clientId: v.clientId,
        ...(v.name ? { name: v.name } : {}),
        type: v.type,
        grantTypes: v.grantTypes,
        redirectUris: v.redirectUris,
        postLogoutRedirectUris: v.postLogoutRedirectUris,
        ...(v.api ? { api: v.api } : {}),
        scopes: words(v.scopes),
        permissions: parsePermissions(v.permissions),
        introspection: v.introspection,
        firstParty: v.firstParty,
        sandbox: v.sandbox,
        requirePkce: v.requirePkce,
        requireMfa: v.requireMfa,
        allowImplicit: v.allowImplicit,
        ...(client?.tokenEndpointAuthMethod && client.type === v.type ? { tokenEndpointAuthMethod: client.tokenEndpointAuthMethod } : {}),
        ...(client?.jwks ? { jwks: client.jwks } : {}),
        ...(client?.jwksUri ? { jwksUri: client.jwksUri } : {}),
      };
      if (client) {
        await saveItem('/clients', client.clientId, etag, body);
        done();
        return;
      }
      const created = (await call('POST', '/clients', { body })).body;
      done(
        h(
          'section',
          { class: 'notice', 'aria-label': 'New application' },
          h('h2', {}, `Created ${created.client.clientId}`),
          created.secret ? secretOnce(`Client secret of ${created.client.clientId}`, created.secret.secret) : h('p', {}, 'A public client has no secret.'),
        ),
      );
    },
  });
}

/**
 * @param {any} client
 * @param {HTMLElement} slot
 * @param {() => void} rerender
 */
function secretsPanel(client, slot, rerender) {
  const out = h('div', {});
  const rotate = button(
    'Add a secret',
    async () => {
      try {
        const added = (await call('POST', `/clients/${seg(client.clientId)}/secrets`, { body: {} })).body;
        replace(
          out,
          secretOnce(`New secret of ${client.clientId}`, added.secret),
          h('p', {}, 'Both secrets work now. Deploy the new one, then delete the old one.'),
        );
      } catch (error) {
        replace(out, problem(error));
      }
    },
    { kind: 'primary' },
  );
  return h(
    'section',
    { class: 'panel', 'aria-label': `Secrets of ${client.clientId}` },
    h('h2', {}, `Secrets of ${client.clientId}`),
    dataTable({
      caption: 'Secrets',
      rows: client.secrets,
      empty: 'No secrets: a public client, or one using private_key_jwt.',
      columns: [
        { label: 'Id', value: (s) => h('code', {}, s.id) },
        { label: 'Created', value: (s) => time(s.createdAt) },
        {
          label: 'Actions',
          value: (s) =>
            button(
              'Delete',
              async () => {
                if (!confirmed(`Delete secret ${s.id}? Anything still using it stops working.`)) return;
                try {
                  await call('DELETE', `/clients/${seg(client.clientId)}/secrets/${seg(s.id)}`);
                  rerender();
                } catch (error) {
                  replace(out, problem(error));
                }
              },
              { kind: 'danger' },
            ),
        },
      ],
    }),
    client.type === 'confidential' ? rotate : null,
    out,
    button('Close', () => replace(slot)),
  );
}

/** @param {import('../main.js').Context} context */
export async function render(context) {
  const [clients, apis] = await Promise.all([listAll('/clients'), listAll('/apis')]);
  // Sections an administrator without the registration or audit scopes does not see.
  const [tokensPanel, documentClients] = await Promise.all([initialAccessTokensPanel(context.rerender).catch(() => null), metadataDocumentClients()]);
  return renderCrudPage(context, {
    path: '/clients',
    rows: clients,
    title: 'Applications',
    intro: 'The OAuth clients: what each may ask for, and how it signs in. Those marked "registered itself" came through dynamic registration (RFC 7591).',
    newLabel: 'New application',
    empty: 'No applications yet. Create one to let a program get tokens.',
    idOf: (c) => c.clientId,
    nameOf: (c) => c.clientId,
    confirmDelete: (c) => `Delete the application ${c.clientId}? Its tokens are revoked and the grants users gave it withdrawn.`,
    columns: [
      { label: 'Client id', value: (c) => h('code', {}, c.clientId) },
      { label: 'Name', value: (c) => c.name },
      { label: 'Type', value: (c) => c.type },
      { label: 'Grants', value: (c) => chips(c.grantTypes.map((/** @type {string} */ g) => g.replace('urn:ietf:params:oauth:grant-type:', ''))) },
      { label: 'API', value: (c) => (c.api ? h('code', {}, c.api) : '—') },
      {
        label: 'Flags',
        value: (c) => chips([...originFlags(c), ...['firstParty', 'sandbox', 'requirePkce', 'requireMfa', 'allowImplicit'].filter((f) => c[f])]),
      },
    ],
    moreActions: (c, { slot, rerender }) => [
      c.registration ? button('Registration', () => replace(slot, registrationPanel(c, slot))) : null,
      button('Secrets', () => replace(slot, secretsPanel(c, slot, rerender))),
    ],
    editor: (client, etag, done) => editor(client, etag, apis, done),
    after: [documentClients, tokensPanel],
  });
}
