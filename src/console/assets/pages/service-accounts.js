// @ts-check
/** Service accounts: non-human identities with roles, which act through SATs. */
import { listAll } from '../api.js';
import { renderCrudPage, saveItem } from '../crud-page.js';
import { button, chips, h, time } from '../dom.js';
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
      {
        name: 'name',
        label: 'Name',
        value: account?.name,
        required: true,
        hint: account ? 'A service account cannot be renamed.' : 'Letters, digits, ".", "_" and "-"',
      },
      { name: 'description', label: 'Description', value: account?.description },
      { name: 'roles', label: 'Roles', type: 'multi', options: roles, value: account?.roles ?? [] },
      { name: 'active', label: 'Active (its tokens work)', type: 'checkbox', value: account?.active ?? true },
    ],
    async onSubmit(v) {
      const body = { name: v.name, roles: v.roles, active: v.active, ...(v.description ? { description: v.description } : {}) };
      await saveItem('/service-accounts', account?.id, etag, body);
      done();
    },
  });
}

/** @param {import('../main.js').Context} context */
export async function render(context) {
  const [accounts, roles] = await Promise.all([listAll('/service-accounts'), listAll('/roles')]);
  return renderCrudPage(context, {
    path: '/service-accounts',
    rows: accounts,
    title: 'Service accounts',
    intro: 'Identities for scripts and servers: they never sign in, they act through service access tokens (SATs).',
    newLabel: 'New service account',
    empty: 'No service accounts yet.',
    idOf: (a) => a.id,
    nameOf: (a) => a.name,
    confirmDelete: (a) => `Delete the service account ${a.name}? Its tokens stop at once.`,
    columns: [
      { label: 'Name', value: (a) => h('strong', {}, a.name) },
      { label: 'Description', value: (a) => a.description ?? '' },
      { label: 'Status', value: (a) => h('span', { class: a.active ? 'badge ok' : 'badge off' }, a.active ? 'active' : 'inactive') },
      { label: 'Roles', value: (a) => chips(a.roles) },
      { label: 'Created', value: (a) => time(a.createdAt) },
    ],
    moreActions: (a) => [button('Tokens (SATs)', () => context.go(`tokens?serviceAccountId=${encodeURIComponent(a.id)}`))],
    editor: (account, etag, done) =>
      editor(
        account,
        etag,
        roles.map((r) => r.name),
        done,
      ),
  });
}
