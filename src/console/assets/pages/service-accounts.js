// @ts-check
/** Service accounts: non-human identities with roles, which act through SATs. */
import { call, listAll, seg } from '../api.js';
import { button, chips, confirmed, dataTable, h, header, problem, replace, time } from '../dom.js';
import { formView } from '../forms.js';

/**
 * @param {any} account
 * @param {string | undefined} etag
 * @param {string[]} roles
 * @param {() => void} done
 */
function editor(account, etag, roles, done) {
  return formView({
    title: account ? `Edit ${account.name}` : 'New service account',
    submit: account ? 'Save' : 'Create service account',
    cancel: done,
    fields: [
      { name: 'name', label: 'Name', value: account?.name, required: true, hint: account ? 'A service account cannot be renamed.' : 'Letters, digits, ".", "_" and "-"' },
      { name: 'description', label: 'Description', value: account?.description },
      { name: 'roles', label: 'Roles', type: 'multi', options: roles, value: account?.roles ?? [] },
      { name: 'active', label: 'Active (its tokens work)', type: 'checkbox', value: account?.active ?? true },
    ],
    async onSubmit(v) {
      const body = { name: v.name, roles: v.roles, active: v.active, ...(v.description ? { description: v.description } : {}) };
      if (account) await call('PUT', `/service-accounts/${seg(account.id)}`, { body, ...(etag ? { ifMatch: etag } : {}) });
      else await call('POST', '/service-accounts', { body });
      done();
    },
  });
}

/** @param {import('../main.js').Context} context */
export async function render({ main, rerender, go }) {
  const [accounts, roles] = await Promise.all([listAll('/service-accounts'), listAll('/roles')]);
  const slot = h('div', { class: 'editor' });
  const open = (/** @type {any} */ account, /** @type {string | undefined} */ etag) => {
    replace(slot, editor(account, etag, roles.map((r) => r.name), rerender));
    slot.querySelector('input')?.focus();
  };
  replace(
    main,
    header('Service accounts', 'Identities for scripts and servers: they never sign in, they act through service access tokens (SATs).', button('New service account', () => open(undefined, undefined), { kind: 'primary' })),
    slot,
    dataTable({
      caption: 'Service accounts',
      rows: accounts,
      empty: 'No service accounts yet.',
      columns: [
        { label: 'Name', value: (a) => h('strong', {}, a.name) },
        { label: 'Description', value: (a) => a.description ?? '' },
        { label: 'Status', value: (a) => h('span', { class: a.active ? 'badge ok' : 'badge off' }, a.active ? 'active' : 'inactive') },
        { label: 'Roles', value: (a) => chips(a.roles) },
        { label: 'Created', value: (a) => time(a.createdAt) },
        {
          label: 'Actions',
          value: (a) =>
            h(
              'div',
              { class: 'row-actions', role: 'group', 'aria-label': `Actions for ${a.name}` },
              button('Edit', async () => {
                const got = await call('GET', `/service-accounts/${seg(a.id)}`);
                open(got.body, got.etag);
              }),
              button('Tokens (SATs)', () => go(`tokens?serviceAccountId=${encodeURIComponent(a.id)}`)),
              button('Delete', async () => {
                if (!confirmed(`Delete the service account ${a.name}? Its tokens stop at once.`)) return;
                try {
                  await call('DELETE', `/service-accounts/${seg(a.id)}`);
                  rerender();
                } catch (error) {
                  replace(slot, problem(error));
                }
              }, { kind: 'danger' }),
            ),
        },
      ],
    }),
  );
}
