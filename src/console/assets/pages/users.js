// @ts-check
/** Users: create, edit, activate/deactivate, roles, password, revoke everything, consents. */
import { call, listAll, seg } from '../api.js';
import { button, chips, confirmed, dataTable, h, header, problem, replace, time } from '../dom.js';
import { formView } from '../forms.js';

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
      ...(user ? [] : [/** @type {import('../forms.js').Field} */ ({ name: 'password', label: 'Password', type: 'password', hint: 'At least 8 characters; leave empty for none' })]),
      { name: 'roles', label: 'Roles', type: 'multi', options: roles, value: user?.roles ?? [] },
      { name: 'active', label: 'Active (may sign in, tokens work)', type: 'checkbox', value: user?.active ?? true },
    ],
    async onSubmit(v) {
      const body = { username: v.username, active: v.active, roles: v.roles, ...(v.name ? { name: v.name } : {}), ...(v.email ? { email: v.email } : {}), ...(v.password ? { password: v.password } : {}) };
      if (user) await call('PUT', `/users/${seg(user.id)}`, { body: { ...editable(user), ...body }, ...(etag ? { ifMatch: etag } : {}) });
      else await call('POST', '/users', { body });
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
 * @param {any} user
 * @param {HTMLElement} slot
 */
async function consentsPanel(user, slot) {
  const consents = (await call('GET', `/users/${seg(user.id)}/consents`)).body.items;
  const out = h('div', {});
  replace(
    slot,
    h(
      'section',
      { class: 'panel', 'aria-label': `Consents of ${user.username}` },
      h('h2', {}, `Consents of ${user.username}`),
      dataTable({
        caption: 'Consents',
        rows: consents,
        empty: `${user.username} has not allowed any application yet.`,
        columns: [
          { label: 'Application', value: (c) => h('code', {}, c.clientId) },
          { label: 'Scopes', value: (c) => chips(c.scopes) },
          { label: 'Given', value: (c) => time(c.updatedAt) },
          {
            label: 'Actions',
            value: (c) =>
              button('Revoke', async () => {
                try {
                  const r = (await call('DELETE', `/users/${seg(user.id)}/consents/${seg(c.clientId)}`)).body;
                  await consentsPanel(user, slot);
                  slot.append(h('p', { role: 'status' }, `Consent withdrawn; ${r.revoked} token(s) revoked.`));
                } catch (error) {
                  replace(out, problem(error));
                }
              }, { kind: 'danger' }),
          },
        ],
      }),
      out,
      button('Close', () => replace(slot)),
    ),
  );
}

/** @param {import('../main.js').Context} context */
export async function render({ main, params, rerender, go }) {
  const q = params.get('q') ?? '';
  const active = params.get('active') ?? '';
  const [users, roles] = await Promise.all([listAll('/users', { ...(q ? { q } : {}), ...(active ? { active } : {}) }), listAll('/roles')]);
  const roleNames = roles.map((r) => r.name);
  const slot = h('div', { class: 'editor' });
  const open = (/** @type {any} */ user, /** @type {string | undefined} */ etag) => {
    replace(slot, editor(user, etag, roleNames, rerender));
    slot.querySelector('input')?.focus();
  };
  /** @param {() => Promise<unknown>} action */
  const attempt = async (action) => {
    try {
      await action();
    } catch (error) {
      replace(slot, problem(error));
    }
  };
  const filter = h(
    'form',
    { class: 'filters', role: 'search', onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      const data = new FormData(/** @type {HTMLFormElement} */ (e.target));
      go(`users?${new URLSearchParams({ q: String(data.get('q') ?? ''), active: String(data.get('active') ?? '') })}`);
    } },
    h('div', { class: 'field' }, h('label', { for: 'user-q' }, 'Username or email contains'), h('input', { id: 'user-q', name: 'q', type: 'search', value: q })),
    h('div', { class: 'field' }, h('label', { for: 'user-active' }, 'Status'), h('select', { id: 'user-active', name: 'active' }, [['', 'Any'], ['true', 'Active'], ['false', 'Inactive']].map(([v, l]) => h('option', { value: v, selected: v === active }, l)))),
    h('button', { type: 'submit', class: 'secondary' }, 'Filter'),
  );
  replace(
    main,
    header('Users', 'People who sign in, their roles, and everything they were given.', button('New user', () => open(undefined, undefined), { kind: 'primary' })),
    filter,
    slot,
    dataTable({
      caption: 'Users',
      rows: users,
      empty: q || active ? 'No user matches this filter.' : 'No users yet.',
      columns: [
        { label: 'Username', value: (u) => h('strong', {}, u.username) },
        { label: 'Name', value: (u) => [u.name ?? '', u.email ? h('div', { class: 'muted' }, u.email) : null] },
        { label: 'Status', value: (u) => h('span', { class: u.active ? 'badge ok' : 'badge off' }, u.active ? 'active' : 'inactive') },
        { label: 'Roles', value: (u) => chips(u.roles) },
        {
          label: 'Actions',
          value: (u) =>
            h(
              'div',
              { class: 'row-actions', role: 'group', 'aria-label': `Actions for ${u.username}` },
              button('Edit', () => attempt(async () => {
                const got = await call('GET', `/users/${seg(u.id)}`);
                open(got.body, got.etag);
              })),
              button(u.active ? 'Deactivate' : 'Activate', () => attempt(async () => {
                const got = await call('GET', `/users/${seg(u.id)}`);
                await call('PUT', `/users/${seg(u.id)}`, { body: { ...editable(got.body), active: !u.active }, ...(got.etag ? { ifMatch: got.etag } : {}) });
                rerender();
              })),
              button('Password', () => replace(slot, passwordForm(u, () => replace(slot)))),
              button('Consents', () => attempt(() => consentsPanel(u, slot))),
              button('Tokens', () => go(`tokens?userId=${encodeURIComponent(u.id)}`)),
              button('Revoke everything', () => attempt(async () => {
                if (!confirmed(`Revoke every token, consent and session of ${u.username}?`)) return;
                const r = (await call('POST', `/users/${seg(u.id)}/revoke-everything`, { body: {} })).body;
                replace(slot, h('p', { class: 'notice', role: 'status' }, `Revoked ${r.revoked} token(s) and ${r.consents ?? 0} consent(s) of ${u.username}.`));
              }), { kind: 'danger' }),
              button('Delete', () => attempt(async () => {
                if (!confirmed(`Delete the user ${u.username}?`)) return;
                await call('DELETE', `/users/${seg(u.id)}`);
                rerender();
              }), { kind: 'danger' }),
            ),
        },
      ],
    }),
  );
}
