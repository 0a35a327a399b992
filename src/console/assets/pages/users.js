// @ts-check
/** Users: create, edit, activate/deactivate, roles, password, second factors, revoke everything, consents, sessions and grants. */
import { call, listAll, seg } from '../api.js';
import { renderCrudPage, saveItem } from '../crud-page.js';
import { button, chips, confirmed, dataTable, h, problem, replace, time } from '../dom.js';
import { formView } from '../forms.js';
import { factorsPanel, policySummary } from './user-factors.js';

/** The fields PUT /users/{id} takes, from what GET returns. @param {any} u */
const editable = (u) => ({
  username: u.username,
  ...(u.name ? { name: u.name } : {}),
  ...(u.email ? { email: u.email } : {}),
  ...(u.emailVerified !== undefined ? { emailVerified: u.emailVerified } : {}),
  active: u.active,
  roles: u.roles,
});

/**
 * @param {any} user
 * @param {string | undefined} etag
 * @param {string[]} roles
 * @param {() => void} done
 */
function editor(user, etag, roles, done) {
  return formView({
    title: user ? `Edit ${user.username}` : 'New user',
    submit: user ? 'Save' : 'Create user',
    cancel: done,
    fields: [
      { name: 'username', label: 'Username', value: user?.username, required: true },
      { name: 'name', label: 'Full name', value: user?.name },
      { name: 'email', label: 'Email', type: 'email', value: user?.email },
      ...(user
        ? []
        : [
            /** @type {import('../forms.js').Field} */ ({
              name: 'password',
              label: 'Password',
              type: 'password',
              hint: 'At least 8 characters; leave empty for none',
            }),
          ]),
      { name: 'roles', label: 'Roles', type: 'multi', options: roles, value: user?.roles ?? [] },
      { name: 'active', label: 'Active (may sign in, tokens work)', type: 'checkbox', value: user?.active ?? true },
    ],
    async onSubmit(v) {
      const body = {
        username: v.username,
        active: v.active,
        roles: v.roles,
        ...(v.name ? { name: v.name } : {}),
        ...(v.email ? { email: v.email } : {}),
        ...(v.password ? { password: v.password } : {}),
      };
      await saveItem('/users', user?.id, etag, user ? { ...editable(user), ...body } : body);
      done();
    },
  });
}

/**
 * @param {any} user
 * @param {() => void} close
 */
function passwordForm(user, close) {
  return formView({
    title: `Set the password of ${user.username}`,
    submit: 'Set password',
    cancel: close,
    fields: [{ name: 'password', label: 'New password', type: 'password', required: true, hint: 'At least 8 characters' }],
    async onSubmit(v) {
      await call('POST', `/users/${seg(user.id)}/password`, { body: { password: v.password ?? '' } });
      close();
    },
  });
}

/**
 * A panel listing something of one user, each row with one revoking action.
 * @param {HTMLElement} slot
 * @param {object} panel
 * @param {string} panel.title the panel's heading and name
 * @param {string} panel.caption the table's name
 * @param {any[]} panel.rows
 * @param {string} panel.empty
 * @param {{ label: string, value: (row: any) => Node | string }[]} panel.columns
 * @param {{ label: string, run: (row: any) => Promise<string> }} panel.action what a row's button does; resolves to the message shown
 * @param {() => Promise<void>} panel.reload
 */
function userPanel(slot, { title, caption, rows, empty, columns, action, reload }) {
  const out = h('div', {});
  replace(
    slot,
    h(
      'section',
      { class: 'panel', 'aria-label': title },
      h('h2', {}, title),
      dataTable({
        caption,
        rows,
        empty,
        columns: [
          ...columns,
          {
            label: 'Actions',
            value: (row) =>
              button(
                action.label,
                async () => {
                  try {
                    const message = await action.run(row);
                    await reload();
                    slot.append(h('p', { role: 'status' }, message));
                  } catch (error) {
                    replace(out, problem(error));
                  }
                },
                { kind: 'danger' },
              ),
          },
        ],
      }),
      out,
      button('Close', () => replace(slot)),
    ),
  );
}

/**
 * @param {any} user
 * @param {HTMLElement} slot
 */
async function consentsPanel(user, slot) {
  const consents = (await call('GET', `/users/${seg(user.id)}/consents`)).body.items;
  userPanel(slot, {
    title: `Consents of ${user.username}`,
    caption: 'Consents',
    rows: consents,
    empty: `${user.username} has not allowed any application yet.`,
    columns: [
      { label: 'Application', value: (c) => h('code', {}, c.clientId) },
      { label: 'Scopes', value: (c) => chips(c.scopes) },
      { label: 'Given', value: (c) => time(c.updatedAt) },
    ],
    action: {
      label: 'Revoke',
      run: async (c) => `Consent withdrawn; ${(await call('DELETE', `/users/${seg(user.id)}/consents/${seg(c.clientId)}`)).body.revoked} token(s) revoked.`,
    },
    reload: () => consentsPanel(user, slot),
  });
}

/**
 * @param {any} user
 * @param {HTMLElement} slot
 */
async function sessionsPanel(user, slot) {
  const sessions = (await call('GET', `/users/${seg(user.id)}/sessions`)).body.items;
  userPanel(slot, {
    title: `Sessions of ${user.username}`,
    caption: 'Sessions',
    rows: sessions,
    empty: `${user.username} is not signed in anywhere.`,
    columns: [
      { label: 'Signed in', value: (x) => time(x.createdAt) },
      { label: 'Last seen', value: (x) => time(x.lastSeenAt) },
      { label: 'Device', value: (x) => x.userAgent ?? '—' },
      { label: 'Address', value: (x) => x.ip ?? '—' },
      { label: 'Expires', value: (x) => time(x.expiresAt) },
    ],
    action: {
      label: 'Sign out',
      run: async (x) => {
        await call('DELETE', `/users/${seg(user.id)}/sessions/${seg(x.id)}`);
        return 'Session ended: that browser is signed out at its next request. Apps keep their tokens (see Grants).';
      },
    },
    reload: () => sessionsPanel(user, slot),
  });
}

/**
 * @param {any} user
 * @param {HTMLElement} slot
 */
async function grantsPanel(user, slot) {
  const grants = (await call('GET', `/users/${seg(user.id)}/grants`)).body.items;
  userPanel(slot, {
    title: `Grants of ${user.username}`,
    caption: 'Grants',
    rows: grants,
    empty: `No application holds a grant from ${user.username}.`,
    columns: [
      { label: 'Application', value: (g) => h('code', {}, g.clientId) },
      { label: 'API', value: (g) => g.api ?? '—' },
      { label: 'Scopes', value: (g) => chips(g.scopes) },
      { label: 'Granted', value: (g) => time(g.createdAt) },
      { label: 'Expires', value: (g) => time(g.expiresAt) },
    ],
    action: {
      label: 'Revoke',
      run: async (g) => {
        await call('DELETE', `/users/${seg(user.id)}/grants/${seg(g.id)}`);
        return `Grant revoked: ${g.clientId}'s refresh and reference tokens stop now.`;
      },
    },
    reload: () => grantsPanel(user, slot),
  });
}

/** @param {import('../main.js').Context} context */
export async function render(context) {
  const { params, go } = context;
  const q = params.get('q') ?? '';
  const active = params.get('active') ?? '';
  const [users, roles, policy] = await Promise.all([
    listAll('/users', { ...(q ? { q } : {}), ...(active ? { active } : {}) }),
    listAll('/roles'),
    call('GET', '/mfa-policy'),
  ]);
  const roleNames = roles.map((r) => r.name);
  const filters = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        const data = new FormData(/** @type {HTMLFormElement} */ (e.target));
        go(`users?${new URLSearchParams({ q: String(data.get('q') ?? ''), active: String(data.get('active') ?? '') })}`);
      },
    },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'user-q' }, 'Username or email contains'),
      h('input', { id: 'user-q', name: 'q', type: 'search', value: q }),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'user-active' }, 'Status'),
      h(
        'select',
        { id: 'user-active', name: 'active' },
        [
          ['', 'Any'],
          ['true', 'Active'],
          ['false', 'Inactive'],
        ].map(([v, l]) => h('option', { value: v, selected: v === active }, l)),
      ),
    ),
    h('button', { type: 'submit', class: 'secondary' }, 'Filter'),
  );
  return renderCrudPage(context, {
    path: '/users',
    rows: users,
    title: 'Users',
    intro: 'People who sign in, their roles, and everything they were given.',
    newLabel: 'New user',
    empty: q || active ? 'No user matches this filter.' : 'No users yet.',
    idOf: (u) => u.id,
    nameOf: (u) => u.username,
    confirmDelete: (u) => `Delete the user ${u.username}?`,
    filters,
    columns: [
      { label: 'Username', value: (u) => h('strong', {}, u.username) },
      { label: 'Name', value: (u) => [u.name ?? '', u.email ? h('div', { class: 'muted' }, u.email) : null] },
      { label: 'Status', value: (u) => h('span', { class: u.active ? 'badge ok' : 'badge off' }, u.active ? 'active' : 'inactive') },
      { label: 'Roles', value: (u) => chips(u.roles) },
    ],
    moreActions: (u, { slot, rerender, attempt }) => [
      button(u.active ? 'Deactivate' : 'Activate', () =>
        attempt(async () => {
          const got = await call('GET', `/users/${seg(u.id)}`);
          await saveItem('/users', u.id, got.etag, { ...editable(got.body), active: !u.active });
          rerender();
        }),
      ),
      button('Password', () =>
        replace(
          slot,
          passwordForm(u, () => replace(slot)),
        ),
      ),
      button('Second factors', () => attempt(() => factorsPanel(u, slot))),
      button('Consents', () => attempt(() => consentsPanel(u, slot))),
      button('Sessions', () => attempt(() => sessionsPanel(u, slot))),
      button('Grants', () => attempt(() => grantsPanel(u, slot))),
      button('Tokens', () => go(`tokens?userId=${encodeURIComponent(u.id)}`)),
      button(
        'Revoke everything',
        () =>
          attempt(async () => {
            if (!confirmed(`Revoke every token, consent and session of ${u.username}?`)) return;
            const r = (await call('POST', `/users/${seg(u.id)}/revoke-everything`, { body: {} })).body;
            replace(slot, h('p', { class: 'notice', role: 'status' }, `Revoked ${r.revoked} token(s) and ${r.consents ?? 0} consent(s) of ${u.username}.`));
          }),
        { kind: 'danger' },
      ),
    ],
    editor: (user, etag, done) => editor(user, etag, roleNames, done),
    after: [policySummary(policy.body)],
  });
}
