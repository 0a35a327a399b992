// @ts-check
/** Roles: named bundles of permissions on APIs. */
import { renderCrudPage, saveItem } from '../crud-page.js';
import { chips, h } from '../dom.js';
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
      {
        name: 'permissions',
        label: 'Permissions',
        type: 'lines',
        value: permissionLines(role?.permissions ?? {}),
        hint: 'One API per line: https://api.example.com = read:things write:things',
      },
    ],
    async onSubmit(v) {
      const body = { name: v.name, ...(v.description ? { description: v.description } : {}), permissions: parsePermissions(v.permissions) };
      await saveItem('/roles', role?.name, etag, body);
      done();
    },
  });
}

/** @param {import('../main.js').Context} context */
export function render(context) {
  return renderCrudPage(context, {
    path: '/roles',
    title: 'Roles',
    intro: 'Bundles of scopes on APIs, given to users and service accounts.',
    newLabel: 'New role',
    empty: 'No roles yet.',
    idOf: (r) => r.name,
    nameOf: (r) => r.name,
    confirmDelete: (r) => `Delete the role ${r.name}?`,
    columns: [
      { label: 'Name', value: (r) => h('strong', {}, r.name) },
      { label: 'Description', value: (r) => r.description ?? '' },
      {
        label: 'Permissions',
        value: (r) =>
          h(
            'ul',
            { class: 'plain' },
            Object.entries(r.permissions).map(([api, scopes]) => h('li', {}, h('code', {}, api), ' ', chips(/** @type {string[]} */ (scopes)))),
          ),
      },
    ],
    editor,
  });
}
