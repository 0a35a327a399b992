// @ts-check
/** Roles: named bundles of permissions on APIs. */
import { call, listAll, seg } from '../api.js';
import { button, chips, confirmed, dataTable, h, header, problem, replace } from '../dom.js';
import { formView, parsePermissions, permissionLines } from '../forms.js';

/**
 * @param {any} role
 * @param {string | undefined} etag
 * @param {() => void} done
 */
function editor(role, etag, done) {
  return formView({
    title: role ? `Edit ${role.name}` : 'New role',
    submit: role ? 'Save' : 'Create role',
    cancel: done,
    fields: [
      { name: 'name', label: 'Name', value: role?.name, required: true },
      { name: 'description', label: 'Description', value: role?.description },
      { name: 'permissions', label: 'Permissions', type: 'lines', value: permissionLines(role?.permissions ?? {}), hint: 'One API per line: https://api.example.com = read:things write:things' },
    ],
    async onSubmit(v) {
      const body = { name: v.name, ...(v.description ? { description: v.description } : {}), permissions: parsePermissions(v.permissions) };
      if (role) await call('PUT', `/roles/${seg(role.name)}`, { body, ...(etag ? { ifMatch: etag } : {}) });
      else await call('POST', '/roles', { body });
      done();
    },
  });
}

/** @param {import('../main.js').Context} context */
export async function render({ main, rerender }) {
  const roles = await listAll('/roles');
  const slot = h('div', { class: 'editor' });
  const open = (/** @type {any} */ role, /** @type {string | undefined} */ etag) => {
    replace(slot, editor(role, etag, rerender));
    slot.querySelector('input')?.focus();
  };
  replace(
    main,
    header('Roles', 'Bundles of scopes on APIs, given to users and service accounts.', button('New role', () => open(undefined, undefined), { kind: 'primary' })),
    slot,
    dataTable({
      caption: 'Roles',
      rows: roles,
      empty: 'No roles yet.',
      columns: [
        { label: 'Name', value: (r) => h('strong', {}, r.name) },
        { label: 'Description', value: (r) => r.description ?? '' },
        { label: 'Permissions', value: (r) => h('ul', { class: 'plain' }, Object.entries(r.permissions).map(([api, scopes]) => h('li', {}, h('code', {}, api), ' ', chips(/** @type {string[]} */ (scopes))))) },
        {
          label: 'Actions',
          value: (r) =>
            h(
              'div',
              { class: 'row-actions', role: 'group', 'aria-label': `Actions for ${r.name}` },
              button('Edit', async () => {
                const got = await call('GET', `/roles/${seg(r.name)}`);
                open(got.body, got.etag);
              }),
              button('Delete', async () => {
                if (!confirmed(`Delete the role ${r.name}?`)) return;
                try {
                  await call('DELETE', `/roles/${seg(r.name)}`);
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
