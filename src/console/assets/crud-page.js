// @ts-check
/**
 * The page every managed resource has: a header with a "New" button, an editor slot,
 * and a table whose rows can be edited (read with its ETag, written back with
 * If-Match) and deleted (after a confirmation; a refusal is shown in the slot).
 * A page declares its path, words, columns and editor; this draws the rest, and what a
 * page has besides (filters above, more row actions, sections below) it passes in.
 */
import { call, listAll, seg } from './api.js';
import { button, confirmed, dataTable, h, header, problem, replace } from './dom.js';

/**
 * @typedef {object} CrudPage
 * @property {string} path the management API collection, e.g. `/apis`
 * @property {string} title
 * @property {string} intro
 * @property {string} newLabel the label of the button that opens an empty editor
 * @property {string} empty what the table says when there is nothing
 * @property {(item: any) => string} idOf the item's id in the API path
 * @property {(item: any) => string} nameOf how the row's actions name the item (for screen readers)
 * @property {(item: any) => string} confirmDelete the question asked before deleting
 * @property {{ label: string, value: (item: any) => any }[]} columns the columns before "Actions"
 * @property {(item: any, etag: string | undefined, done: (shown?: Node) => void) => HTMLElement} editor
 *   `done` reloads the page, showing `shown` (e.g. a secret shown once) in the editor slot
 * @property {any[]} [rows] the items, when the page read them already (else they are listed from `path`)
 * @property {(item: any, tools: RowTools) => (HTMLElement | null)[]} [moreActions] buttons between Edit and Delete
 * @property {HTMLElement} [filters] drawn between the header and the editor slot
 * @property {(Node | null)[]} [after] sections after the table
 */

/**
 * What a row's extra buttons work with.
 * @typedef {object} RowTools
 * @property {HTMLElement} slot the editor slot, where panels open
 * @property {() => void} rerender
 * @property {(action: () => Promise<unknown>) => Promise<void>} attempt runs `action`, showing a refusal in the slot
 */

/** What to show once after the page is reloaded (set by an editor's `done`). @type {Node | undefined} */
let notice;

/**
 * Creates (no `id`) or replaces (with the ETag read, if any) one item.
 * @param {string} path
 * @param {string | undefined} id
 * @param {string | undefined} etag
 * @param {unknown} body
 */
export async function saveItem(path, id, etag, body) {
  if (id !== undefined) await call('PUT', `${path}/${seg(id)}`, { body, ...(etag ? { ifMatch: etag } : {}) });
  else await call('POST', path, { body });
}

/**
 * @param {import('./main.js').Context} context
 * @param {CrudPage} page
 */
export async function renderCrudPage({ main, rerender }, page) {
  const items = page.rows ?? (await listAll(page.path));
  const slot = h('div', { class: 'editor' }, notice ?? null);
  notice = undefined;
  const done = (/** @type {unknown} */ shown) => {
    // An editor's Cancel button passes its click event: only a Node is shown.
    notice = shown instanceof Node ? shown : undefined;
    rerender();
  };
  const open = (/** @type {any} */ item, /** @type {string | undefined} */ etag) => {
    replace(slot, page.editor(item, etag, done));
    slot.querySelector('input')?.focus();
  };
  /** @type {RowTools['attempt']} */
  const attempt = async (action) => {
    try {
      await action();
    } catch (error) {
      replace(slot, problem(error));
    }
  };
  const tools = { slot, rerender, attempt };
  replace(
    main,
    header(
      page.title,
      page.intro,
      button(page.newLabel, () => open(undefined, undefined), { kind: 'primary' }),
    ),
    page.filters ?? null,
    slot,
    dataTable({
      caption: page.title,
      rows: items,
      empty: page.empty,
      columns: [
        ...page.columns,
        {
          label: 'Actions',
          value: (item) =>
            h(
              'div',
              { class: 'row-actions', role: 'group', 'aria-label': `Actions for ${page.nameOf(item)}` },
              button('Edit', () =>
                attempt(async () => {
                  const got = await call('GET', `${page.path}/${seg(page.idOf(item))}`);
                  open(got.body, got.etag);
                }),
              ),
              ...(page.moreActions?.(item, tools) ?? []),
              button(
                'Delete',
                () =>
                  attempt(async () => {
                    if (!confirmed(page.confirmDelete(item))) return;
                    await call('DELETE', `${page.path}/${seg(page.idOf(item))}`);
                    rerender();
                  }),
                { kind: 'danger' },
              ),
            ),
        },
      ],
    }),
    ...(page.after ?? []),
  );
}
